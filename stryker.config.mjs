// @ts-check
/**
 * Mutation testing over the code that carries the delivery guarantees (`npm run mutation`,
 * minutes to hours on two cores, so not on CI's default path): the event log and follow,
 * the run executor, the streaming layer of the gateway, and the client's resume and
 * de-duplication. A surviving mutant is a change to that code no test notices.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  mutate: [
    'packages/engine/src/store/**/*.ts',
    'packages/engine/src/run-executor.ts',
    'packages/gateway/src/streaming/**/*.ts',
    'packages/client/src/**/*.ts',
    '!**/*.test.ts',
    '!**/testing/**',
    '!packages/client/src/react/**',
  ],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 30_000,
  dryRunTimeoutMinutes: 20,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: 80 },
};
