import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The embeddable widget: one self-contained script (/widget.js) that a business adds with a <script> tag.
// Styles are injected by the script itself (inside a shadow root), so there is nothing else to load.
const root = resolve(import.meta.dirname);

export default defineConfig({
  root,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: false,
    sourcemap: true,
    lib: { entry: resolve(root, 'widget/main.tsx'), formats: ['iife'], name: 'ParleyWidget', fileName: () => 'widget.js' },
  },
});
