/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The dev server forwards /api to a router (or to scripts/mock-server.mjs).
const api = process.env.DIFOS_API || 'http://127.0.0.1:8081';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2020',
    sourcemap: false,
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    // the server's CSP has no 'unsafe-inline': no inline polyfill script
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true, secure: false, ws: true },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/test/**/*.test.ts'],
  },
});
