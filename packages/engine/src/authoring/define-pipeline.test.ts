import { UnfoldError, type CustomEvent, type UnfoldEvent } from '@unfold/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { runInMemory } from '../run-in-memory.js';
import type { Store } from '../store/store.js';
import { definePipeline } from './define-pipeline.js';
import { defineTool } from './define-tool.js';
import { runPipeline } from './run-pipeline.js';

const invoiceInput = z.object({ lines: z.array(z.object({ item: z.string(), amount: z.number() })).min(1), currency: z.string().default('EUR') });
const totalEvent = z.object({ amount: z.number(), currency: z.string() });

const parse = defineTool({
  name: 'parse',
  input: invoiceInput,
  run(ctx) {
    ctx.progress(50, 'reading lines');
    return { count: ctx.input.lines.length };
  },
});
const total = defineTool({
  name: 'total',
  input: invoiceInput,
  events: { 'data-total': totalEvent },
  async run(ctx) {
    const amount = ctx.input.lines.reduce((sum, line) => sum + line.amount, 0);
    ctx.emit('data-total', { amount, currency: ctx.input.currency });
    return amount;
  },
});
const vendor = defineTool({ name: 'vendor', run: () => 'ACME' });
const check = defineTool({
  name: 'check',
  run(ctx) {
    ctx.emit('validation_result', { rule: 'total_positive', passed: (ctx.outputs['total'] as number) > 0, message: 'total > 0' });
    return { total: ctx.outputs['total'] as number, vendor: ctx.outputs['vendor'] as string };
  },
});

const invoice = definePipeline({
  name: 'invoice',
  description: 'invoice lines → total',
  input: invoiceInput,
  events: { 'data-note': z.object({ text: z.string() }) },
  steps: [parse, [total, vendor], check],
});

async function eventsOf(store: Store, runId = 'run'): Promise<UnfoldEvent[]> {
  return store.events.read(runId, 0, 1_000);
}

describe('definePipeline', () => {
  it('runs its tools in order (an inner array side by side), streams custom events with their data, and ends with the last tool\'s output', async () => {
    const { store, outcome } = await runInMemory(invoice, { lines: [{ item: 'a', amount: 2 }, { item: 'b', amount: 3.5 }] });
    expect(outcome.status).toBe('completed');
    expect(outcome.terminal).toMatchObject({ event_type: 'processing_completed', result: { total: 5.5, vendor: 'ACME' } });
    const events = await eventsOf(store);
    expect(events.find((event) => event.event_type === 'data-total')).toMatchObject({ event_type: 'data-total', data: { amount: 5.5, currency: 'EUR' }, pipeline: 'invoice' });
    expect(events.find((event) => event.event_type === 'tool_progress')).toMatchObject({ tool_name: 'parse', progress: 50, message: 'reading lines' });
    const started = events.filter((event) => event.event_type === 'tool_started').map((event) => (event as { tool_name: string }).tool_name);
    expect(started[0]).toBe('parse');
    expect(started.slice(1, 3).sort()).toEqual(['total', 'vendor']);
    expect(started[3]).toBe('check');
    expect((await store.runs.get('run'))?.result).toEqual({ total: 5.5, vendor: 'ACME' });
  });

  it('merges the tools\' events with its own and describes its input, the types a client reads included', () => {
    expect(Object.keys(invoice.events).sort()).toEqual(['data-note', 'data-total']);
    expect(invoice.inputSchema).toBe(invoiceInput);
    expectTypeOf(invoice.name).toEqualTypeOf<'invoice'>();
    type Types = NonNullable<(typeof invoice)['~types']>;
    expectTypeOf<Types['input']>().toEqualTypeOf<z.input<typeof invoiceInput>>();
    expectTypeOf<Types['result']>().toEqualTypeOf<{ total: number; vendor: string }>();
    expectTypeOf<Types['events']['data-total']>().toEqualTypeOf<{ amount: number; currency: string }>();
    expectTypeOf<Types['events']['data-note']>().toEqualTypeOf<{ text: string }>();
    const parallelLast = definePipeline({ name: 'side', description: '', input: z.object({}), steps: [[total, vendor]] });
    expectTypeOf<NonNullable<(typeof parallelLast)['~types']>['result']>().toEqualTypeOf<{ total: number; vendor: string }>();
  });

  it('takes a parallel group\'s outputs by tool name as the result when the group is last', async () => {
    const side = definePipeline({ name: 'side', description: '', input: invoiceInput, steps: [[total, vendor]] });
    const { outcome } = await runInMemory(side, { lines: [{ item: 'a', amount: 1 }] });
    expect(outcome.terminal).toMatchObject({ result: { total: 1, vendor: 'ACME' } });
  });

  it('refuses input its schema refuses with invalid_input naming the field, before any run exists', () => {
    expect(() => invoice.parseInput({ lines: [] })).toThrow(expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(/^invoice input: .*lines/) }));
    expect(invoice.parseInput({ lines: [{ item: 'a', amount: 1 }] })).toEqual({ lines: [{ item: 'a', amount: 1 }], currency: 'EUR' });
  });

  it('says what is wrong with a definition that cannot run', () => {
    const define = (overrides: Record<string, unknown>) => () => definePipeline({ name: 'x', description: '', input: invoiceInput, steps: [parse], ...overrides } as never);
    expect(define({ name: 'Bad Name' })).toThrow(/pipeline "Bad Name": pipeline must be a lowercase name/);
    expect(define({ steps: [] })).toThrow('pipeline x: needs at least one step');
    expect(define({ steps: [parse, parse] })).toThrow('pipeline x: two tools are named parse');
    expect(define({ steps: [parse, []] })).toThrow('pipeline x: step 2 is an empty parallel group');
    expect(define({ steps: [parse, [vendor, { name: 'no-run' }]] })).toThrow('pipeline x: step 2.2 is not a tool (make it with defineTool)');
    expect(define({ input: { parse: () => 1 } })).toThrow('pipeline x: input must be a zod schema');
    expect(define({ events: { total: totalEvent } })).toThrow('pipeline x: the pipeline declares event "total"; a custom event is "data-"');
    expect(define({ events: { 'data-total': z.object({}) }, steps: [total] })).toThrow('pipeline x: data-total is declared twice with different schemas (the second by tool total)');
    expect(define({ events: { 'data-total': 'number' } })).toThrow('pipeline x: the pipeline declares data-total without a zod schema');
    expect(definePipeline({ name: 'x', description: '', input: invoiceInput, events: { 'data-total': totalEvent }, steps: [total] }).events).toEqual({ 'data-total': totalEvent });
  });
});

describe('a tool\'s events', () => {
  const failing = (name: string, emitted: (ctx: { emit(type: string, payload: unknown): void }) => void, options: { catches?: boolean } = {}) =>
    definePipeline({
      name: 'strict',
      description: '',
      input: z.object({}),
      events: { 'data-total': totalEvent, 'data-raw': z.unknown() },
      steps: [
        defineTool({
          name,
          async run(ctx) {
            try {
              emitted(ctx as never);
            } catch (error) {
              if (!options.catches) throw error;
            }
            ctx.emit('data-total' as never, { amount: 1, currency: 'EUR' } as never);
            return 'went on';
          },
        }),
        defineTool({ name: 'after', run: () => 'ran' }),
      ],
    });

  it.each([
    ['a payload its schema refuses', (ctx: { emit(type: string, payload: unknown): void }) => ctx.emit('data-total', { amount: 'nine' }), /event "data-total" was not emitted: its payload does not match the schema pipeline strict declared: .*amount/],
    ['a custom event the pipeline does not declare', (ctx: { emit(type: string, payload: unknown): void }) => ctx.emit('data-other', {}), /event "data-other" was not emitted: pipeline strict does not declare it \(declared: data-total, data-raw\)/],
    ['an engine event', (ctx: { emit(type: string, payload: unknown): void }) => ctx.emit('processing_completed', { duration_ms: 1, result: 1 }), /event "processing_completed" was not emitted: a tool emits result events/],
    ['a result event with a bad payload', (ctx: { emit(type: string, payload: unknown): void }) => ctx.emit('field_labeled', { field_name: 'X' }), /event "field_labeled" was not emitted: its payload does not match the field_labeled schema/],
    ['a payload that is not JSON', (ctx: { emit(type: string, payload: unknown): void }) => ctx.emit('data-raw', { count: 1n }), /event "data-raw" was not emitted: its payload is not JSON: Do not know how to serialize a BigInt/],
  ])('refuses %s: not stored, the run failed with invalid_event, even when the tool catches it', async (_, emitted, message) => {
    for (const catches of [false, true]) {
      const { store, outcome } = await runInMemory(failing('emitter', emitted, { catches }), {});
      expect(outcome.status).toBe('failed');
      expect(outcome.terminal).toMatchObject({ event_type: 'processing_failed', code: 'invalid_event', tool_name: 'emitter', error: expect.stringMatching(message) });
      const events = await eventsOf(store);
      expect(events.some((event) => event.event_type === 'data-total' || event.event_type === 'data-other' || event.event_type === 'data-raw' || event.event_type === 'field_labeled')).toBe(false);
      expect(events.filter((event) => event.event_type === 'tool_failed')).toMatchObject([{ tool_name: 'emitter', code: 'invalid_event', optional: false }]);
      expect(events.some((event) => event.event_type === 'tool_started' && event.tool_name === 'after')).toBe(false);
      expect((await store.runs.get('run'))?.error).toMatchObject({ code: 'invalid_event' });
    }
  });

  it('refuses a custom payload over the size limit', async () => {
    const big = definePipeline({
      name: 'big',
      description: '',
      input: z.object({}),
      events: { 'data-blob': z.object({ text: z.string() }) },
      steps: [defineTool({ name: 'blob', run: (ctx) => ctx.emit('data-blob', { text: 'x'.repeat(300_000) }) })],
    });
    const { outcome } = await runInMemory(big, {});
    expect(outcome.terminal).toMatchObject({ code: 'invalid_event', error: expect.stringMatching(/300\d{3} bytes of JSON, over the limit of 262144/) });
  });

  it('stores what the schema outputs: unknown keys dropped, defaults applied', async () => {
    const shaped = definePipeline({
      name: 'shaped',
      description: '',
      input: z.object({}),
      events: { 'data-total': z.object({ amount: z.number(), currency: z.string().default('EUR') }) },
      steps: [defineTool({ name: 't', run: (ctx) => ctx.emit('data-total', { amount: 2, secret: 'dropped' } as never) })],
    });
    const { store } = await runInMemory(shaped, {});
    const event = (await eventsOf(store)).find((candidate): candidate is CustomEvent => candidate.event_type === 'data-total');
    expect(event?.data).toEqual({ amount: 2, currency: 'EUR' });
  });
});

describe('defineTool', () => {
  const attempts = (retries: number, error: () => Error) => {
    let tries = 0;
    const pipeline = definePipeline({
      name: 'flaky',
      description: '',
      input: z.object({}),
      steps: [
        defineTool({
          name: 'flaky',
          retries: { retries, initialDelayMs: 1 },
          run() {
            tries++;
            throw error();
          },
        }),
      ],
    });
    return { pipeline, tries: () => tries };
  };

  it('retries a thrown error as often as asked, but not a coded one that is not transient', async () => {
    const plain = attempts(2, () => new Error('upstream hiccup'));
    const { outcome, store } = await runInMemory(plain.pipeline, {});
    expect(plain.tries()).toBe(3);
    expect(outcome.terminal).toMatchObject({ code: 'tool_failed', error: 'upstream hiccup' });
    expect((await eventsOf(store)).filter((event) => event.event_type === 'tool_retrying')).toHaveLength(2);

    const coded = attempts(2, () => new UnfoldError('invalid_input', 'no such invoice'));
    expect((await runInMemory(coded.pipeline, {})).outcome.terminal).toMatchObject({ code: 'invalid_input' });
    expect(coded.tries()).toBe(1);

    const transient = attempts(1, () => new UnfoldError('tool_failed', 'busy', { transient: true }));
    await runInMemory(transient.pipeline, {});
    expect(transient.tries()).toBe(2);

    let tries = 0;
    const chosen = defineTool({
      name: 'chosen',
      retries: { retries: 3, initialDelayMs: 1, retryable: (error) => (error as Error).message === 'again' },
      run() {
        tries++;
        throw new Error(tries < 2 ? 'again' : 'for good');
      },
    });
    await runInMemory(definePipeline({ name: 'chosen', description: '', input: z.object({}), steps: [chosen] }), {});
    expect(tries).toBe(2);
  });

  it('passes timeout, optional and skip to the engine and refuses settings that cannot work', async () => {
    const slow = defineTool({ name: 'slow', timeoutMs: 20, optional: true, run: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)) });
    const skipped = defineTool({ name: 'skipped', skip: () => 'nothing to do', run: () => 1 });
    const { outcome, store } = await runInMemory(definePipeline({ name: 'opt', description: '', input: z.object({}), steps: [slow, skipped, vendor] }), {});
    expect(outcome.status).toBe('completed');
    const events = await eventsOf(store);
    expect(events.find((event) => event.event_type === 'tool_failed')).toMatchObject({ tool_name: 'slow', code: 'tool_timeout', optional: true });
    expect(events.find((event) => event.event_type === 'tool_skipped')).toMatchObject({ tool_name: 'skipped', reason: 'nothing to do' });
    expect(() => defineTool({ name: '', run: () => 1 })).toThrow('a tool needs a name');
    expect(() => defineTool({ name: 'x' } as never)).toThrow('tool x needs a run(ctx) function');
    expect(() => defineTool({ name: 'x', timeoutMs: 0, run: () => 1 })).toThrow('tool x: timeoutMs must be a positive number');
    expect(() => defineTool({ name: 'x', retries: -1, run: () => 1 })).toThrow('retries must be a whole number of at least 0, got -1');
  });
});

describe('runPipeline', () => {
  it('returns the outcome, the typed result and every event in order, for a pipeline\'s own tests', async () => {
    const run = await runPipeline(invoice, { lines: [{ item: 'a', amount: 1 }] });
    expectTypeOf(run.result).toEqualTypeOf<{ total: number; vendor: string } | undefined>();
    expect(run).toMatchObject({ status: 'completed', result: { total: 1, vendor: 'ACME' }, error: null });
    expect(run.events.map((event) => event.seq)).toEqual(run.events.map((_, index) => index + 1));
    expect(run.events.at(-1)?.event_type).toBe('processing_completed');
    const failed = await runPipeline(definePipeline({ name: 'f', description: '', input: z.object({}), steps: [defineTool({ name: 'boom', run: () => { throw new Error('boom'); } })] }), {});
    expect(failed).toMatchObject({ status: 'failed', result: undefined, error: { code: 'tool_failed', message: 'boom' } });
    await expect(runPipeline(invoice, { lines: [] })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
