import { definePipeline, defineTool, demoPipeline, runInMemory, runPipeline } from '@unfold/engine';
import type { UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunModelBuilder, reduceRun } from './run-model.js';

async function demoEvents(input: Record<string, unknown>): Promise<UnfoldEvent[]> {
  const { store } = await runInMemory(demoPipeline, { pace: 0, ...input }, { runId: 'r' });
  return store.events.read('r', 0, 1_000);
}

describe('run model', () => {
  it('follows tools, fields and the outcome of a run from its events', async () => {
    const model = reduceRun(await demoEvents({ fail_tool: 'validate' }));
    expect(model.status).toBe('failed');
    expect(model.tools.map((tool) => `${tool.name}:${tool.status}`)).toEqual(['fetch_document:completed', 'read_text:completed', 'detect_layout:completed', 'label_fields:completed', 'validate:failed']);
    expect(model.tools.find((tool) => tool.name === 'validate')?.error).toMatch(/failed on request/);
    expect(model.fields.map((field) => field.field_name)).toContain('GRAND_TOTAL');
    expect(model.labelByWord.get(25)?.field_name).toBe('GRAND_TOTAL');
    expect(model.firstGap).toBeUndefined();
  });

  it('extends the model event by event to the same result, and starts over for a replay', async () => {
    const events = await demoEvents({ flaky: true });
    const builder = new RunModelBuilder();
    for (let count = 1; count <= events.length; count++) builder.build(events.slice(0, count));
    const live = builder.build(events);
    expect(live).toEqual(reduceRun(events));
    expect(live.tools.find((tool) => tool.name === 'read_text')?.attempt).toBe(2);
    const replay = builder.build(events.slice(0, 3));
    expect(replay.status).toBe('running');
    expect(replay.tools).toHaveLength(1);
  });

  it('keeps the data-* events of a pipeline it has never heard of, in order, beside its tools', async () => {
    const count = defineTool({
      name: 'count',
      events: { 'data-tick': z.object({ n: z.number() }) },
      run(ctx) {
        for (const n of [1, 2, 3]) ctx.emit('data-tick', { n });
        return 3;
      },
    });
    const { events } = await runPipeline(definePipeline({ name: 'ticks', description: '', input: z.object({}), steps: [count] }), {});
    const model = reduceRun(events);
    expect(model.status).toBe('completed');
    expect(model.tools.map((tool) => `${tool.name}:${tool.status}`)).toEqual(['count:completed']);
    expect(model.customEvents.map((event) => [event.event_type, event.data])).toEqual([
      ['data-tick', { n: 1 }],
      ['data-tick', { n: 2 }],
      ['data-tick', { n: 3 }],
    ]);
    expect(model.eventTypes).toContain('data-tick');
  });

  it('points at the first gap or duplicate in the seqs', async () => {
    const events = await demoEvents({});
    const duplicated = [...events.slice(0, 5), events[4] as UnfoldEvent, ...events.slice(5)];
    expect(reduceRun(duplicated).firstGap).toEqual({ position: 6, seq: 5 });
  });
});
