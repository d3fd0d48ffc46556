import { defaultClientConditions, defineConfig } from 'vite';

// The app bundles the client SDK and protocol from their TypeScript sources, so a web
// build needs no prior package build.
export default defineConfig({
  root: 'src',
  publicDir: false,
  resolve: { conditions: ['@unfold/source', ...defaultClientConditions] },
  esbuild: { jsx: 'automatic' },
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/v1': { target: 'http://127.0.0.1:8080', ws: true } } },
});
