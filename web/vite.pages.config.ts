import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The customer app (/app), the agent console (/console), the demo page (/demo) and the web chat page (/webchat,
// Carbon AI Chat with Parley's service desk; React, without JSX): a multi-page build.
// Preact's JSX runtime is wired with Vite's own transformer, no Babel preset needed.
const root = resolve(import.meta.dirname);

export default defineConfig({
  root,
  base: '/',
  publicDir: resolve(root, 'public'),
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: false,
    sourcemap: true,
    rollupOptions: {
      input: {
        app: resolve(root, 'app/index.html'),
        console: resolve(root, 'console/index.html'),
        demo: resolve(root, 'demo/index.html'),
        webchat: resolve(root, 'webchat/index.html'),
      },
    },
  },
});
