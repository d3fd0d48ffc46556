import { UnfoldError, type UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { sleep } from './abortable.js';
import type { Pipeline } from './pipeline.js';
import { executeRun } from './run-executor.js';
import { LocalRunner } from './local-runner.js';
import { PipelineRegistry } from './pipeline-registry.js';
import { followRun } from './store/follow-run.js';
import { createMemoryStore } from './store/memory-store.js';
import { withFailingAppends } from './store/testing/failing-appends.js';
import { newRunRecord, type Store } from './store/store.js';
import type { Tool } from './tool.js';

type Input = Record<string, unknown>;

function pipelineOf(steps: Pipeline<Input>['steps']): Pipeline<Input> {
  return { name: 'test', description: 'test', steps, parseInput: (input) => input };
}

function tool(name: string, overrides: Partial<Tool<Input>> = {}): Tool<Input> {
  return { name, run: async () => name, ...overrides };
}

async function execute(pipeline: Pipeline<Input>, signal = new AbortController().signal): Promise<{ store: Store; events: UnfoldEvent[]; status: string }> {
  const store = createMemoryStore();
  const run = newRunRecord({ run_id: 'r1', tenant: 'default', pipeline: pipeline.name, input: {} });
  await store.runs.create(run);
  const outcome = await executeRun({ store, pipeline, run, input: {}, signal, retryDelay: () => 1 });
  return { store, events: await store.events.read('r1', 0, 1000), status: outcome.status };
}

const types = (events: UnfoldEvent[]) => events.map((event) => (('tool_name' in event ? `${event.event_type}:${event.tool_name}` : event.event_type)));

describe('executeRun', () => {
  it('runs steps in order, starts with processing_started and ends with one terminal event', async () => {
    const { events, status, store } = await execute(pipelineOf([tool('a'), tool('b')]));
    expect(status).toBe('completed');
    expect(types(events)).toEqual([
      'processing_started',
      'tool_started:a',
      'tool_completed:a',
      'tool_started:b',
      'tool_completed:b',
      'processing_completed',
    ]);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.at(-1)).toMatchObject({ result: { a: 'a', b: 'b' } });
    expect((await store.runs.get('r1'))?.status).toBe('completed');
  });

  it('runs a parallel group concurrently and hands outputs to later tools', async () => {
    const timeline: string[] = [];
    const slow = (name: string): Tool<Input> =>
      tool(name, {
        run: async () => {
          timeline.push(`${name} start`);
          await sleep(20);
          timeline.push(`${name} end`);
          return name.toUpperCase();
        },
      });
    const after = tool('after', { run: async (context) => `${String(context.outputs['x'])}${String(context.outputs['y'])}` });
    const { events } = await execute(pipelineOf([{ parallel: [slow('x'), slow('y')] }, after]));
    expect(timeline.slice(0, 2)).toEqual(['x start', 'y start']);
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_completed', result: { after: 'XY' } });
  });

  it('reports progress and result events from tools, dropping repeated progress', async () => {
    const labeller = tool('label', {
      run: async (context) => {
        context.progress(50, 'half');
        context.progress(50, 'half');
        context.emit('field_labeled', { field_name: 'DATE', value: '2026-01-01', confidence: 0.9, word_ids: [3] });
        context.progress(100);
        return null;
      },
    });
    const { events } = await execute(pipelineOf([labeller]));
    expect(types(events)).toEqual(['processing_started', 'tool_started:label', 'tool_progress:label', 'field_labeled', 'tool_progress:label', 'tool_completed:label', 'processing_completed']);
  });

  it('retries transient errors with tool_retrying and gives up on permanent ones', async () => {
    let calls = 0;
    const flaky = tool('flaky', {
      retry: { attempts: 3, initialDelayMs: 1 },
      run: async () => {
        calls++;
        if (calls < 3) throw new UnfoldError('tool_failed', 'blip', { transient: true });
        return 'ok';
      },
    });
    const { events, status } = await execute(pipelineOf([flaky]));
    expect(status).toBe('completed');
    expect(types(events).filter((type) => type.startsWith('tool_retrying'))).toHaveLength(2);

    let permanentCalls = 0;
    const permanent = tool('permanent', {
      retry: { attempts: 3, initialDelayMs: 1 },
      run: async () => {
        permanentCalls++;
        throw new UnfoldError('invalid_input', 'not a receipt');
      },
    });
    const failed = await execute(pipelineOf([permanent, tool('never')]));
    expect(permanentCalls).toBe(1);
    expect(failed.status).toBe('failed');
    expect(failed.events.at(-1)).toMatchObject({ event_type: 'processing_failed', code: 'invalid_input', tool_name: 'permanent' });
    expect(types(failed.events)).not.toContain('tool_started:never');
  });

  it('times a tool out even when it ignores its signal, and retries timeouts as transient', async () => {
    let attempts = 0;
    const stuck = tool('stuck', {
      timeoutMs: 20,
      retry: { attempts: 2, initialDelayMs: 1 },
      run: () => {
        attempts++;
        return new Promise(() => undefined);
      },
    });
    const { events, status } = await execute(pipelineOf([stuck]));
    expect(status).toBe('failed');
    expect(attempts).toBe(2);
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_failed', code: 'tool_timeout' });
  });

  it('lets an optional tool fail without failing the run', async () => {
    const optional = tool('research', { optional: true, run: async () => Promise.reject(new Error('upstream down')) });
    const { events, status } = await execute(pipelineOf([optional, tool('next')]));
    expect(status).toBe('completed');
    expect(events.find((event) => event.event_type === 'tool_failed')).toMatchObject({ tool_name: 'research', optional: true });
    expect(types(events)).toContain('tool_completed:next');
  });

  it('stops a parallel group when a required tool fails', async () => {
    let siblingAborted = false;
    const sibling = tool('sibling', {
      run: async (context) => {
        await sleep(1_000, context.signal).catch(() => {
          siblingAborted = context.signal.aborted;
        });
      },
    });
    const failing = tool('failing', { run: async () => Promise.reject(new UnfoldError('tool_failed', 'boom')) });
    const { status } = await execute(pipelineOf([{ parallel: [sibling, failing] }]));
    expect(status).toBe('failed');
    expect(siblingAborted).toBe(true);
  });

  it('cancels through the AbortSignal with processing_cancelled as the last event', async () => {
    const controller = new AbortController();
    const long = tool('long', {
      run: async (context) => {
        context.progress(10);
        setTimeout(() => controller.abort(new UnfoldError('cancelled', 'user pressed stop')), 10);
        await sleep(5_000, context.signal);
        context.progress(90);
      },
    });
    const { events, status } = await execute(pipelineOf([long, tool('never')]), controller.signal);
    expect(status).toBe('cancelled');
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_cancelled', reason: 'user pressed stop' });
    expect(events.filter((event) => event.event_type.startsWith('processing_'))).toHaveLength(2);
  });

  it('skips a tool whose skip() gives a reason', async () => {
    const skipped = tool('ocr', { skip: () => 'words were given' });
    const { events } = await execute(pipelineOf([skipped]));
    expect(events[1]).toMatchObject({ event_type: 'tool_skipped', tool_name: 'ocr', reason: 'words were given' });
  });
});

describe('executeRun when the store refuses writes', () => {
  const chatty = tool('chatty', {
    run: async (context) => {
      for (let step = 1; step <= 5; step++) {
        context.progress(step * 20);
        await sleep(1);
      }
    },
  });

  it('settles with a failed outcome, ends the log with one terminal after what was stored, and tells followers', async () => {
    let refusing = false;
    const store = withFailingAppends(createMemoryStore(), (_runId, event) => {
      // The disk fills at the third progress event and has room again right after.
      if (event.event_type === 'tool_progress' && (event as { progress: number }).progress === 60) refusing = true;
      const refuse = refusing;
      refusing = false;
      return refuse;
    });
    const run = newRunRecord({ run_id: 'r1', tenant: 'default', pipeline: 'test', input: {} });
    await store.runs.create(run);
    const heard: unknown[] = [];
    followRun(store, 'r1', { after: 0 }, { event: () => undefined, resync: () => undefined, error: (error) => heard.push(error) });
    const outcome = await executeRun({ store, pipeline: pipelineOf([chatty, tool('never')]), run, input: {}, signal: new AbortController().signal });
    expect(outcome.status).toBe('failed');
    expect(outcome.terminal).toMatchObject({ event_type: 'processing_failed', code: 'storage_unavailable' });
    const events = await store.events.read('r1', 0, 100);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(types(events)).toEqual(['processing_started', 'tool_started:chatty', 'tool_progress:chatty', 'tool_progress:chatty', 'processing_failed']);
    expect(await store.runs.get('r1')).toMatchObject({ status: 'failed', error: { code: 'storage_unavailable' } });
    expect(heard).toHaveLength(1);
  });

  it('settles while the store refuses its end, writes that end once the store takes writes again, and the other runs complete', async () => {
    let diskFull = true;
    const store = withFailingAppends(createMemoryStore(), (runId) => diskFull && runId === 'doomed');
    const runner = new LocalRunner({ store, registry: new PipelineRegistry([pipelineOf([chatty])]), concurrency: 2 });
    const doomed = newRunRecord({ run_id: 'doomed', tenant: 'default', pipeline: 'test', input: {} });
    const healthy = newRunRecord({ run_id: 'healthy', tenant: 'default', pipeline: 'test', input: {} });
    for (const run of [doomed, healthy]) {
      await store.runs.create(run);
      runner.submit(run);
    }
    // Not runner.close(): it would await (and so handle) a rejection nothing else handles.
    while (runner.activeCount > 1) await sleep(5);
    expect((await store.events.read('healthy', 0, 100)).at(-1)).toMatchObject({ event_type: 'processing_completed' });
    expect(await store.events.lastSeq('doomed')).toBe(0);
    diskFull = false;
    while (runner.activeCount > 0) await sleep(5);
    expect(await store.runs.get('doomed')).toMatchObject({ status: 'failed', error: { code: 'storage_unavailable' } });
    expect(types(await store.events.read('doomed', 0, 100))).toEqual(['processing_started', 'processing_failed']);
  });

  it('settles when its end cannot be written before the run is cancelled', async () => {
    const store = withFailingAppends(createMemoryStore(), () => true);
    const runner = new LocalRunner({ store, registry: new PipelineRegistry([pipelineOf([chatty])]), concurrency: 1 });
    const run = newRunRecord({ run_id: 'doomed', tenant: 'default', pipeline: 'test', input: {} });
    await store.runs.create(run);
    runner.submit(run);
    await sleep(20);
    await runner.cancel('doomed');
    expect(runner.activeCount).toBe(0);
    expect(await store.runs.get('doomed')).toMatchObject({ status: 'failed', error: { code: 'storage_unavailable' } });
    expect(await store.events.lastSeq('doomed')).toBe(0);
  });
});
