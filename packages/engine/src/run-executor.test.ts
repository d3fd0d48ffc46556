import { UnfoldError, type UnfoldEvent } from '@unfold/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep } from './abortable.js';
import type { Pipeline } from './pipeline.js';
import { defaultRetryDelay, executeRun } from './run-executor.js';
import type { EngineHooks } from './engine-hooks.js';
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

async function execute(pipeline: Pipeline<Input>, signal = new AbortController().signal, hooks?: EngineHooks): Promise<{ store: Store; events: UnfoldEvent[]; status: string }> {
  const store = createMemoryStore();
  const run = newRunRecord({ run_id: 'r1', tenant: 'default', pipeline: pipeline.name, input: {} });
  await store.runs.create(run);
  const outcome = await executeRun({ store, pipeline, run, input: {}, signal, retryDelay: () => 1, ...(hooks ? { hooks } : {}) });
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
    // A tool stopped by the cancel did not fail.
    expect(types(events)).not.toContain('tool_failed:long');
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
    expect(outcome.terminal).toMatchObject({ event_type: 'processing_failed', code: 'storage_unavailable', error: "the run's events could not be stored: no space left on the test disk" });
    expect((outcome.terminal as { duration_ms: number }).duration_ms).toBeGreaterThanOrEqual(0);
    expect((outcome.terminal as { duration_ms: number }).duration_ms).toBeLessThan(10_000);
    const events = await store.events.read('r1', 0, 100);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(types(events)).toEqual(['processing_started', 'tool_started:chatty', 'tool_progress:chatty', 'tool_progress:chatty', 'processing_failed']);
    expect(await store.runs.get('r1')).toMatchObject({ status: 'failed', error: { code: 'storage_unavailable' } });
    expect(heard).toHaveLength(1);
  });

  it('settles while the store refuses its end, writes that end once the store takes writes again, and the other runs complete', async () => {
    let diskFull = true;
    let refused = 0;
    const store = withFailingAppends(createMemoryStore(), (runId) => {
      const refuse = diskFull && runId === 'doomed';
      if (refuse) refused++;
      return refuse;
    });
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
    // The disk stays full a while: the doomed run's retries back off meanwhile.
    await sleep(400);
    diskFull = false;
    const recovered = Date.now();
    while (runner.activeCount > 0) await sleep(5);
    // Retries back off from 100 ms, doubling: a few while the disk was full, and the end is
    // written within about a second of its coming back.
    expect(refused).toBeLessThan(20);
    expect(Date.now() - recovered).toBeLessThan(2_500);
    expect(await store.runs.get('doomed')).toMatchObject({ status: 'failed', error: { code: 'storage_unavailable' } });
    expect(types(await store.events.read('doomed', 0, 100))).toEqual(['processing_started', 'processing_failed']);
  });

  it('gives up recording its end after two minutes of refused writes, backing off up to 5 s, and returns a terminal of seq 0', async () => {
    vi.useFakeTimers();
    try {
      const writes: number[] = [];
      const store = createMemoryStore();
      const refusing = withFailingAppends(store, () => true);
      const started = Date.now();
      refusing.runs.update = async () => {
        writes.push(Date.now() - started);
        throw new UnfoldError('storage_unavailable', 'disk full');
      };
      const run = newRunRecord({ run_id: 'r1', tenant: 'default', pipeline: 'test', input: {} });
      await store.runs.create(run);
      let settled = false;
      const outcome = executeRun({ store: refusing, pipeline: pipelineOf([tool('t')]), run, input: {}, signal: new AbortController().signal }).finally(() => (settled = true));
      await vi.advanceTimersByTimeAsync(110_000);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(settled).toBe(true);
      expect(await outcome).toMatchObject({ status: 'failed', terminal: { seq: 0, event_type: 'processing_failed', code: 'storage_unavailable' } });
      // the first write is the run's own start; then its end, retried 100, 200, 400 … ms apart, capped at 5 s,
      // until the next wait would end past two minutes
      const gaps = writes.slice(2).map((at, index) => at - (writes[index + 1] as number));
      expect(gaps.slice(0, 6)).toEqual([100, 200, 400, 800, 1_600, 3_200]);
      expect(Math.max(...gaps)).toBe(5_000);
      expect(writes.at(-1)).toBeLessThanOrEqual(120_000);
      expect((writes.at(-1) as number) + 5_000).toBeGreaterThan(120_000);
    } finally {
      vi.useRealTimers();
    }
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

describe('executeRun, the details a client or an operator reads', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('waits exponentially longer between retries, capped, with half of each wait jittered', () => {
    const policy = { attempts: 9, initialDelayMs: 100, maxDelayMs: 1_000 };
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect([1, 2, 3, 4, 5, 8].map((attempt) => defaultRetryDelay(attempt, policy))).toEqual([50, 100, 200, 400, 500, 500]);
    vi.spyOn(Math, 'random').mockReturnValue(1);
    expect([1, 2, 3, 4, 5, 8].map((attempt) => defaultRetryDelay(attempt, policy))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    // Without a cap of its own a policy is capped at 30 s.
    expect(defaultRetryDelay(20, { attempts: 30, initialDelayMs: 100 })).toBe(30_000);
  });

  it('records each event and retry as it happened: attempts, delays, codes, messages, durations to 0.1 ms', async () => {
    let calls = 0;
    const flaky = tool('flaky', {
      retry: { attempts: 2, initialDelayMs: 1 },
      run: async () => {
        calls++;
        if (calls === 1) throw new UnfoldError('tool_timeout', 'blip', { transient: true });
        throw 'not an Error';
      },
    });
    const { events, store } = await execute(pipelineOf([flaky]));
    const [, started1, retrying, started2, failed, terminal] = events;
    expect(started1).toMatchObject({ event_type: 'tool_started', tool_name: 'flaky', status: 'started', attempt: 1 });
    expect(retrying).toMatchObject({ event_type: 'tool_retrying', tool_name: 'flaky', status: 'retrying', attempt: 2, delay_ms: 1, error: 'blip', code: 'tool_timeout' });
    expect(started2).toMatchObject({ event_type: 'tool_started', attempt: 2 });
    expect(failed).toMatchObject({ event_type: 'tool_failed', tool_name: 'flaky', status: 'failed', error: 'not an Error', code: 'tool_failed', optional: false });
    expect(terminal).toMatchObject({ event_type: 'processing_failed', error: 'not an Error', code: 'tool_failed', tool_name: 'flaky' });
    for (const event of [failed, terminal]) {
      const duration = (event as { duration_ms: number }).duration_ms;
      expect(duration).toBeGreaterThanOrEqual(0);
      expect(duration).toBeLessThan(1_000);
      expect(Number.isInteger(Math.round(duration * 10 * 1_000) / 1_000)).toBe(true);
    }
    expect(await store.runs.get('r1')).toMatchObject({ status: 'failed', error: { code: 'tool_failed', message: 'not an Error' }, started_at: expect.any(String), finished_at: expect.any(String) });
  });

  it('names a timed-out tool and its limit', async () => {
    const stuck = tool('stuck', { timeoutMs: 5, run: () => new Promise(() => undefined) });
    const { events } = await execute(pipelineOf([stuck]));
    expect(events.at(-1)).toMatchObject({ code: 'tool_timeout', error: 'stuck took longer than 5 ms' });
  });

  it('clamps and rounds progress, keeps its message, and drops what a tool says after its signal ended', async () => {
    const talker = tool('talker', {
      timeoutMs: 30,
      optional: true,
      run: async (context) => {
        context.progress(-5);
        context.progress(33.333, 'a third');
        context.progress(33.333, 'still a third');
        context.progress(150);
        await sleep(60);
        // The deadline has passed: nothing of this may reach the log.
        context.progress(99);
        context.emit('validation_result', { rule: 'late', passed: true, message: 'late' });
      },
    });
    // The next step is still running when the talker speaks up late.
    const { events } = await execute(pipelineOf([talker, tool('next', { run: () => sleep(100) })]));
    const progress = events.filter((event) => event.event_type === 'tool_progress').map((event) => [event.progress, event.message]);
    expect(progress).toEqual([
      [0, undefined],
      [33.3, 'a third'],
      [33.3, 'still a third'],
      [100, undefined],
    ]);
    expect(events.some((event) => event.event_type === 'validation_result')).toBe(false);
  });

  it('tells the hooks of the start, each tool, each result and event, and the end', async () => {
    const calls: string[] = [];
    const hooks: EngineHooks = {
      runStarted: (run) => calls.push(`started ${run.run_id}`),
      toolFinished: (run, toolName, outcome) => calls.push(`tool ${run.run_id} ${toolName} ${outcome}`),
      resultEmitted: (run, type) => calls.push(`result ${run.run_id} ${type}`),
      eventEmitted: (run, type) => calls.push(`event ${run.run_id} ${type}`),
      runFinished: (run, status, durationMs) => calls.push(`finished ${run.run_id} ${status} ${durationMs >= 0}`),
    };
    const labeller = tool('label', {
      run: async (context) => {
        context.emit('validation_result', { rule: 'r', passed: true, message: 'ok' });
      },
    });
    await execute(pipelineOf([labeller]), undefined, hooks);
    expect(calls).toEqual([
      'event r1 processing_started',
      'started r1',
      'event r1 tool_started',
      'event r1 validation_result',
      'result r1 validation_result',
      'event r1 tool_completed',
      'tool r1 label completed',
      'event r1 processing_completed',
      'finished r1 completed true',
    ]);
  });

  it('fails a run the server stopped with the server\'s code, not as a cancel', async () => {
    const controller = new AbortController();
    const long = tool('long', {
      run: async (context) => {
        setTimeout(() => controller.abort(new UnfoldError('server_shutdown', 'the server is shutting down')), 5);
        await sleep(5_000, context.signal);
      },
    });
    const { events, status, store } = await execute(pipelineOf([long]), controller.signal);
    expect(status).toBe('failed');
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_failed', code: 'server_shutdown', error: 'the server is shutting down' });
    expect(events.at(-1)).not.toHaveProperty('tool_name');
    expect(await store.runs.get('r1')).toMatchObject({ status: 'failed', error: { code: 'server_shutdown' } });
  });

  it('fails with the server\'s code, naming no tool, when the server stops the run just as a tool gives up', async () => {
    const controller = new AbortController();
    const hooks: EngineHooks = {
      // Told of the failure before the run hears of it: the server stops in between.
      toolFinished: () => controller.abort(new UnfoldError('server_shutdown', 'the server is shutting down')),
    };
    const broken = tool('broken', { run: async () => Promise.reject(new UnfoldError('invalid_input', 'not a receipt')) });
    const { events } = await execute(pipelineOf([broken]), controller.signal, hooks);
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_failed', code: 'server_shutdown' });
    expect(events.at(-1)).not.toHaveProperty('tool_name');
  });

  it('records a cancel on the run record', async () => {
    const controller = new AbortController();
    controller.abort(new UnfoldError('cancelled', 'asked to stop'));
    const { status, store, events } = await execute(pipelineOf([tool('never')]), controller.signal);
    expect(status).toBe('cancelled');
    expect(types(events)).toEqual(['processing_started', 'processing_cancelled']);
    expect(await store.runs.get('r1')).toMatchObject({ status: 'cancelled', error: { code: 'cancelled', message: 'asked to stop' } });
  });

  it('fails a run whose record cannot be written with internal_error when the store\'s error is not coded', async () => {
    const store = createMemoryStore();
    const run = newRunRecord({ run_id: 'r1', tenant: 'default', pipeline: 'test', input: {} });
    await store.runs.create(run);
    const broken: Store = { ...store, runs: { ...store.runs, update: async () => Promise.reject(new Error('SQLITE_CORRUPT')) } };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const outcome = await executeRun({ store: broken, pipeline: pipelineOf([tool('a')]), run, input: {}, signal: controller.signal });
    expect(outcome.terminal).toMatchObject({ seq: 0, event_type: 'processing_failed', code: 'internal_error', error: "the run's events could not be stored: SQLITE_CORRUPT" });
  });
});
