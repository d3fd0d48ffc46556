import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of every workspace package (the `@unfold/source`
// export condition), so a test never reads a stale build. The name is our own: some
// published packages ship a `source` condition that points at TypeScript Node cannot load.
export default defineConfig({
  resolve: { conditions: ['@unfold/source', ...defaultClientConditions] },
  // Server-side code resolves as Node does: no `module` condition (some packages, such as
  // @opentelemetry/api 1.9, point it at an ESM build Node itself cannot load).
  ssr: { resolve: { conditions: ['@unfold/source', ...defaultServerConditions.filter((condition) => condition !== 'module')], externalConditions: ['@unfold/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.{ts,tsx}', 'scripts/**/*.test.mjs'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
