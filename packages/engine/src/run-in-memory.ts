import type { AnyPipeline } from './pipeline.js';
import { executeRun, type RunOutcome } from './run-executor.js';
import { createMemoryStore } from './store/memory-store.js';
import { DEFAULT_TENANT } from './store/api-key-store.js';
import { newRunRecord, type Store } from './store/store.js';

export interface InMemoryRun {
  store: Store;
  outcome: RunOutcome;
}

/**
 * Runs a pipeline once through the engine on a private memory store: evaluations and
 * tests use the very code path a server runs, without a server. `onStore` sees the store
 * before the run starts (to listen to its events).
 */
export async function runInMemory(pipeline: AnyPipeline, input: Record<string, unknown>, options: { runId?: string; onStore?: (store: Store) => void } = {}): Promise<InMemoryRun> {
  const store = createMemoryStore();
  const run = newRunRecord({ run_id: options.runId ?? 'run', tenant: DEFAULT_TENANT, pipeline: pipeline.name, input });
  await store.runs.create(run);
  options.onStore?.(store);
  const outcome = await executeRun({ store, pipeline, run, input: pipeline.parseInput(input), signal: new AbortController().signal });
  return { store, outcome };
}
