import { fileURLToPath } from 'node:url';
import { createCanvas } from '@napi-rs/canvas';
import { runPipeline, type AnyPipeline } from '@unfold/engine';
import { UnfoldError } from '@unfold/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineModule } from '../../gateway/src/pipelines/pipeline-modules.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/invoice/invoice-pipeline.ts', import.meta.url));

/** An invoice of our own, printed as a scanner would see it: left-aligned labels, right-aligned amounts. */
function invoicePhoto(): Buffer {
  const lines: [string, string?][] = [
    ['NORTHWIND OFFICE SUPPLY'],
    ['INVOICE NO: INV-20417'],
    ['DATE: 2026-11-03'],
    [''],
    ['A4 PAPER 5 REAMS', '24.50'],
    ['BLACK TONER', '61.20'],
    ['SUBTOTAL', '85.70'],
    ['VAT 10%', '8.57'],
    ['TOTAL', '94.27'],
  ];
  const width = 520;
  const canvas = createCanvas(width, lines.length * 40 + 60);
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#111';
  context.font = '22px "DejaVu Sans Mono"';
  lines.forEach(([left, right], index) => {
    const y = 50 + index * 40;
    context.fillText(left, 30, y);
    if (right) context.fillText(right, width - 30 - context.measureText(right).width, y);
  });
  return canvas.toBuffer('image/png');
}

/** The example as `unfold serve --pipelines examples/invoice/invoice-pipeline.ts` loads it, run through the engine with real OCR. */
describe('examples/invoice', () => {
  let invoice: AnyPipeline;
  beforeAll(async () => {
    const loaded = await loadPipelineModule(EXAMPLE);
    expect(loaded.pipelines.map((pipeline) => pipeline.name)).toEqual(['invoice']);
    invoice = loaded.pipelines[0] as AnyPipeline;
  });
  afterAll(async () => invoice?.close?.());

  it('reads the photo, streams each field as a data-invoice_field event and ends with the fields', async () => {
    const run = await runPipeline(invoice, { image_base64: invoicePhoto().toString('base64') });
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    const custom = run.events.filter((event) => event.event_type.startsWith('data-')).map((event) => ({ type: event.event_type, ...(event as { data: Record<string, unknown> }).data }));
    expect(custom).toEqual(
      expect.arrayContaining([
        { type: 'data-invoice_field', field: 'invoice_number', value: 'INV-20417', line: 'INVOICE NO: INV-20417', word_ids: expect.any(Array) },
        { type: 'data-invoice_field', field: 'invoice_date', value: '2026-11-03', line: 'DATE: 2026-11-03', word_ids: expect.any(Array) },
        { type: 'data-invoice_field', field: 'total', value: '94.27', line: 'TOTAL 94.27', word_ids: expect.any(Array) },
      ]),
    );
    expect(custom.at(-1)).toEqual({ type: 'data-invoice_check', complete: true, missing: [] });
    const ocrDone = run.events.findIndex((event) => event.event_type === 'tool_completed' && event.tool_name === 'ocr_extraction');
    expect(ocrDone).toBeGreaterThan(0);
    expect(run.events.findIndex((event) => event.event_type === 'data-invoice_field')).toBeGreaterThan(ocrDone);
    expect(run.result).toEqual({ invoice_number: 'INV-20417', invoice_date: '2026-11-03', total: 94.27, complete: true });
  });

  it('refuses a file that is not an image before any run exists', async () => {
    await expect(runPipeline(invoice, { image_base64: Buffer.from('not a photo').toString('base64') })).rejects.toSatisfy((error) => UnfoldError.isInstance(error) && error.code === 'invalid_image');
  });
});
