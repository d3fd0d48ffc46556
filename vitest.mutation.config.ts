import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The test suite as Stryker runs it, from its sandbox: workspace packages resolve to the
 * sandbox's (mutated) sources, not through node_modules' links to the original tree, and
 * the browser suites are left out (they test the web app, which is not mutated).
 *
 * Left out too, to keep a run within two cores' reach, are suites that run none of the
 * mutated code (engine/src/store, the run executor, gateway/src/streaming, client/src):
 * - suites that only talk over raw HTTP/WebSocket to an `unfold serve` spawned from the
 *   built dist (the sandbox's dist is not mutated, so they can kill no mutant): the CLI's,
 *   storage-faults, and faults/ sigterm-drain, slow-consumer, postgres-sink-outage;
 *   process-faults too, whose one in-process call (lockDataDir, to hold a directory a
 *   spawned server then finds taken) data-dir-lock.test.ts covers directly, and whose race
 *   of two spawned `unfold run` failed Stryker's first run twice on the loaded machine;
 * - pipelines suites that never run a pipeline through the engine (OCR pool, email parsing
 *   and rules, evaluation scorers, sinks), the data-leak script's, and the bench (soak).
 * Every suite that runs the engine, the gateway or the client in-process stays in, the
 * pipelines' `runInMemory` suites included. The fuzz suite stays in with fewer inputs
 * (UNFOLD_FUZZ_RUNS below): at its default 10,000 each mutant it covers would cost ~30 s.
 * The reconnect storm stays in with a tenth of its clients (UNFOLD_STORM_SHARE): with
 * 1,000 instrumented WebSockets it ran past its 60 s limit in Stryker's first run.
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
      exclude: [
        '**/node_modules/**',
        'packages/integration-tests/src/web-app*.test.ts',
        'packages/bench/**',
        'packages/web/**',
        // spawned dist servers only
        'packages/cli/src/cli.test.ts',
        'packages/integration-tests/src/storage-faults.test.ts',
        'packages/integration-tests/src/process-faults.test.ts',
        'packages/integration-tests/src/faults/sigterm-drain.test.ts',
        'packages/integration-tests/src/faults/slow-consumer.test.ts',
        'packages/integration-tests/src/faults/postgres-sink-outage.test.ts',
        // no engine, gateway or client code
        'packages/pipelines/src/ocr/**',
        'packages/pipelines/src/eval/**',
        'packages/pipelines/src/email/parse-email.test.ts',
        'packages/pipelines/src/email/rules-extractor.test.ts',
        'packages/pipelines/src/email/sinks/**',
        'scripts/**',
      ],
      env: { UNFOLD_FUZZ_RUNS: '300', UNFOLD_STORM_SHARE: '0.1' },
      // Instrumented code on two shared cores: a test that spawns servers can need more than 20 s.
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  }),
);
