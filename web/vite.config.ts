import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built with `vite build web` from the repository root (make web): root is this directory and
// the output goes to web/dist, which the server serves under /ui/.
export default defineConfig({
  base: '/ui/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP allows no inline script, and inlined assets would become data: URLs
    // inside the bundle; keep every asset a file of its own.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    // `vite web` for development, against a Tripline server's admin listener on its default port.
    proxy: { '/api': 'http://127.0.0.1:8081' },
  },
});
