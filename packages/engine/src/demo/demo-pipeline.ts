import { UnfoldError } from '@unfold/protocol';
import { z } from 'zod';
import { sleep } from '../abortable.js';
import { definePipeline } from '../authoring/define-pipeline.js';
import { defineTool } from '../authoring/define-tool.js';
import type { ToolContext } from '../tool.js';

/**
 * A built-in pipeline with real, paced progress so a fresh server shows a run unfolding
 * before any document pipeline is installed. It pretends to read a receipt.
 */
const demoInputSchema = z.strictObject({
  /** Scales every delay: 1 runs about two seconds, 0 runs as fast as the machine can. */
  pace: z.number().min(0).max(10).default(1),
  /** Name of a tool that fails, to watch a failing run. */
  fail_tool: z.string().optional(),
  /** The first attempt of `read_text` fails with a transient error, to watch a retry. */
  flaky: z.boolean().default(false),
});
export type DemoInput = z.output<typeof demoInputSchema>;

const FIELDS = [
  { field_name: 'MERCHANT_NAME', value: 'Corner Café', word_ids: [1, 2] },
  { field_name: 'DATE', value: '2026-11-25', word_ids: [7] },
  { field_name: 'SUBTOTAL', value: '11.50', word_ids: [21] },
  { field_name: 'TAX', value: '0.92', word_ids: [23] },
  { field_name: 'GRAND_TOTAL', value: '12.42', word_ids: [25] },
];

async function paced(context: ToolContext<DemoInput>, steps: number, stepMs: number, message: string): Promise<void> {
  if (context.input.fail_tool === context.toolName) {
    await sleep(stepMs * context.input.pace, context.signal);
    throw new UnfoldError('tool_failed', `${message}: failed on request (fail_tool)`);
  }
  for (let step = 1; step <= steps; step++) {
    await sleep(stepMs * context.input.pace, context.signal);
    context.progress((step / steps) * 100, `${message} ${step}/${steps}`);
  }
}

const fetchDocument = defineTool({
  name: 'fetch_document',
  input: demoInputSchema,
  async run(context) {
    await paced(context, 4, 60, 'loading');
    return { pages: 1 };
  },
});

const readText = defineTool({
  name: 'read_text',
  input: demoInputSchema,
  retries: { retries: 2, initialDelayMs: 100 },
  timeoutMs: 10_000,
  async run(context) {
    if (context.input.flaky && context.attempt === 1) {
      await sleep(50 * context.input.pace, context.signal);
      throw new UnfoldError('tool_failed', 'OCR worker restarted', { transient: true });
    }
    await paced(context, 5, 100, 'reading words');
    return { words: 26 };
  },
});

const detectLayout = defineTool({
  name: 'detect_layout',
  input: demoInputSchema,
  async run(context) {
    await paced(context, 3, 120, 'finding sections');
    return { sections: ['header', 'items', 'totals'] };
  },
});

const labelFields = defineTool({
  name: 'label_fields',
  input: demoInputSchema,
  async run(context) {
    for (const [index, field] of FIELDS.entries()) {
      await paced(context, 1, 80, 'labelling');
      context.emit('field_labeled', { ...field, confidence: 0.9 - index * 0.02, reasoning: 'demo rule' });
      context.progress(((index + 1) / FIELDS.length) * 100, field.field_name);
    }
    context.emit('line_item_found', {
      description: 'Flat white',
      quantity: { amount: 2 },
      price: { unit_price: 5.75, extended_price: 11.5 },
      line_ids: [4],
    });
    return Object.fromEntries(FIELDS.map((field) => [field.field_name, field.value]));
  },
});

const validate = defineTool({
  name: 'validate',
  input: demoInputSchema,
  async run(context) {
    await paced(context, 2, 80, 'checking totals');
    context.emit('validation_result', {
      rule: 'subtotal_plus_tax_equals_total',
      passed: true,
      message: '11.50 + 0.92 = 12.42',
      severity: 'error',
    });
    return { status: 'valid' };
  },
});

export const demoPipeline = definePipeline({
  name: 'demo',
  description: 'A built-in pipeline with paced progress, parallel tools, fields and a totals check (about two seconds).',
  input: demoInputSchema,
  steps: [fetchDocument, [readText, detectLayout], labelFields, validate],
  result: (outputs) => ({ fields: outputs['label_fields'], validation: outputs['validate'] }),
});
