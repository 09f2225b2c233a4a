import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Parley's service desk for watsonx Assistant web chat: one self-contained script (/watson.js, global
// `ParleyWatson`) that a business loads beside web chat. It carries the SDK; web chat itself is not in it.
const root = resolve(import.meta.dirname);

export default defineConfig({
  root,
  build: {
    outDir: resolve(root, '..', 'web', 'dist'),
    emptyOutDir: false,
    sourcemap: true,
    target: 'es2020',
    lib: { entry: resolve(root, 'src/main.ts'), formats: ['iife'], name: 'ParleyWatson', fileName: () => 'watson.js' },
  },
});
