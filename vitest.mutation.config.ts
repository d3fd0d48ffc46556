import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The test suite as Stryker runs it, from its sandbox: workspace packages resolve to the
 * sandbox's (mutated) sources, not through node_modules' links to the original tree, and
 * the browser suites are left out (they test the web app, which is not mutated).
 */
export default mergeConfig(
  base,
  defineConfig({
    resolve: {
      alias: [
        { find: /^@unfold\/client\/node$/, replacement: `${root}packages/client/src/node.ts` },
        { find: /^@unfold\/client\/react$/, replacement: `${root}packages/client/src/react/use-run.ts` },
        { find: /^@unfold\/(protocol|engine|pipelines|gateway|client)$/, replacement: `${root}packages/$1/src/index.ts` },
      ],
    },
    test: {
      exclude: ['**/node_modules/**', 'packages/integration-tests/src/web-app*.test.ts', 'packages/bench/**', 'packages/web/**'],
    },
  }),
);
