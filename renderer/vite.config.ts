import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
const APPS = ['kiosk', 'display', 'agent', 'manager', 'track', 'book', 'hq'] as const;

/** One multi-page build: every UI is served by the branch server from dist/renderer under /ui/. */
export default defineConfig({
  root,
  base: '/ui/',
  plugins: [react()],
  build: {
    outDir: resolve(root, '../dist/renderer'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: Object.fromEntries(APPS.map((app) => [app, resolve(root, app, 'index.html')])),
    },
  },
});
