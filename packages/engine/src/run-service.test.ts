import { UnfoldError } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { LocalRunner } from './local-runner.js';
import type { Pipeline } from './pipeline.js';
import { PipelineRegistry } from './pipeline-registry.js';
import { RunService } from './run-service.js';
import { createMemoryStore } from './store/memory-store.js';
import type { Store } from './store/store.js';

/** Waits until its run is stopped: only a cancel or a shutdown ends it. */
const waiting: Pipeline<Record<string, unknown>> = {
  name: 'waiting',
  description: 'waits for its signal',
  steps: [{ name: 'wait', run: (context) => new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason as Error))) }],
  parseInput: (input) => input,
};

/** Holds the store's run writes until released, to catch a creation mid-write. */
function holdRunWrites(store: Store): () => void {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const create = store.runs.create.bind(store.runs);
  store.runs.create = async (record) => {
    await gate;
    return create(record);
  };
  return release;
}

function serviceOn(store: Store) {
  const registry = new PipelineRegistry([waiting]);
  const runner = new LocalRunner({ store, registry, concurrency: 1 });
  return { runner, runs: new RunService(store, registry, runner) };
}

describe('RunService during shutdown', () => {
  it('refuses a run once the runner is closing, before writing anything', async () => {
    const store = createMemoryStore();
    const { runner, runs } = serviceOn(store);
    await runner.close();
    const refused = await runs.create({ pipeline: 'waiting', input: {}, run_id: 'late' }, { tenant: 'default' }).catch((error: unknown) => error);
    expect(UnfoldError.isInstance(refused) && refused.code).toBe('server_busy');
    expect(await store.runs.get('late')).toBeUndefined();
  });

  it('drains a run whose record was being written when the shutdown began, ending it with server_shutdown', async () => {
    const store = createMemoryStore();
    const release = holdRunWrites(store);
    const { runner, runs } = serviceOn(store);
    const creating = runs.create({ pipeline: 'waiting', input: {}, run_id: 'mid-write' }, { tenant: 'default' });
    const closing = runner.close();
    release();
    await creating;
    await closing;
    expect(await store.runs.get('mid-write')).toMatchObject({ status: 'failed', error: { code: 'server_shutdown' } });
    const events = await store.events.read('mid-write', 0, 100);
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_failed', code: 'server_shutdown' });
  });
});
