import { setTimeout as sleep } from 'node:timers/promises';
import { definePipeline, defineTool } from '@unfold/engine';
import { z } from 'zod';

/**
 * A pipeline as a user writes it, in a folder of their own: the tests copy this file to a
 * temporary directory with no node_modules and load it with `unfold serve --pipelines`.
 */
export const invoiceInput = z.object({
  vendor: z.string().min(1),
  lines: z.array(z.object({ item: z.string(), amount: z.number() })).min(1).max(1_000),
  /** Milliseconds between lines, to watch (or reload during) a slow run. */
  pace_ms: z.number().min(0).max(1_000).default(0),
  /** Emits a total its schema refuses, to see the run fail cleanly. */
  break_total: z.boolean().default(false),
});

const lineRead = z.object({ index: z.number().int(), item: z.string(), amount: z.number() });
const totalFound = z.object({ total: z.number(), currency: z.literal('EUR') });

const readLines = defineTool({
  name: 'read_lines',
  input: invoiceInput,
  events: { 'data-line': lineRead },
  async run(ctx) {
    for (const [index, line] of ctx.input.lines.entries()) {
      if (ctx.input.pace_ms > 0) await sleep(ctx.input.pace_ms, undefined, { signal: ctx.signal });
      ctx.emit('data-line', { index, ...line });
      ctx.progress(((index + 1) / ctx.input.lines.length) * 100, line.item);
    }
    return ctx.input.lines.length;
  },
});

const addUp = defineTool({
  name: 'add_up',
  input: invoiceInput,
  events: { 'data-total': totalFound },
  run(ctx) {
    const total = ctx.input.lines.reduce((sum, line) => sum + line.amount, 0);
    if (ctx.input.break_total) ctx.emit('data-total', { total: 'a lot' as unknown as number, currency: 'EUR' });
    ctx.emit('data-total', { total, currency: 'EUR' });
    ctx.emit('validation_result', { rule: 'has_lines', passed: (ctx.outputs['read_lines'] as number) > 0, message: 'lines were read' });
    return { vendor: ctx.input.vendor, total };
  },
});

export default definePipeline({
  name: 'invoice',
  description: 'invoice lines → a total (version 1)',
  input: invoiceInput,
  steps: [readLines, addUp],
});
