import { definePipeline, defineTool } from '@unfold/engine';
import { analyseStructure, createOcrTool, imageInputSchema, type ReceiptWord } from '@unfold/pipelines';
import { z } from 'zod';

/**
 * An invoice photo → OCR → its number, date and total, each streamed the moment it is found.
 * Serve it with `unfold serve --pipelines examples/invoice/invoice-pipeline.ts` (README.md).
 */

const FIELD_NAMES = ['invoice_number', 'invoice_date', 'total'] as const;
type FieldName = (typeof FIELD_NAMES)[number];

/** A field as a client reads it: the value, the printed line it came from and that line's OCR words. */
const invoiceField = z.object({ field: z.enum(FIELD_NAMES), value: z.string(), line: z.string(), word_ids: z.array(z.number().int()) });
/** The closing verdict: whether every field was found, and which were not. */
const invoiceCheck = z.object({ complete: z.boolean(), missing: z.array(z.enum(FIELD_NAMES)) });

type Found = z.output<typeof invoiceField>;
type Row = { text: string; word_ids: number[] };

/** What each field looks like on a printed row; the first group is the value. */
const PATTERNS: Record<FieldName, RegExp> = {
  invoice_number: /\binvoice\s*(?:no\.?|number|#)\s*[:#]?\s*([a-z0-9][a-z0-9/-]*)/i,
  invoice_date: /\bdate\s*:?\s*(\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})/i,
  // "TOTAL" or "AMOUNT DUE", not "SUBTOTAL": the amount is the last number on the line.
  total: /^(?:total|amount\s+due|balance\s+due)\b.*?(\d[\d,]*\.\d{2})\s*$/i,
};

const ocr = createOcrTool();

/** Printed lines top to bottom, a label and its right-aligned amount joined again (OCR reads them as separate blocks). */
const rows = defineTool({
  name: 'rows',
  run(ctx): Row[] {
    const { rows: printed } = analyseStructure(ctx.outputs['ocr_extraction'] as ReceiptWord[]);
    ctx.progress(100, `${printed.length} rows`);
    return printed.map((row) => ({ text: row.text, word_ids: row.words.map((word) => word.word_id) }));
  },
});

/** A tool that looks for one field row by row and streams it as a `data-invoice_field` event. */
function fieldFinder(field: FieldName) {
  return defineTool({
    name: field,
    events: { 'data-invoice_field': invoiceField },
    run(ctx): Found | null {
      for (const row of ctx.outputs['rows'] as Row[]) {
        const value = PATTERNS[field].exec(row.text)?.[1];
        if (value === undefined) continue;
        const found = { field, value, line: row.text, word_ids: row.word_ids };
        ctx.emit('data-invoice_field', found);
        return found;
      }
      return null;
    },
  });
}

const check = defineTool({
  name: 'check',
  events: { 'data-invoice_check': invoiceCheck },
  run(ctx) {
    const missing = FIELD_NAMES.filter((field) => ctx.outputs[field] === null);
    ctx.emit('data-invoice_check', { complete: missing.length === 0, missing });
    return missing;
  },
});

export default definePipeline({
  name: 'invoice',
  description: 'invoice photo → OCR → invoice number, date and total',
  input: imageInputSchema,
  // The three fields are looked for side by side once the rows are read.
  steps: [ocr, rows, FIELD_NAMES.map(fieldFinder), check],
  result(outputs) {
    const value = (field: FieldName) => (outputs[field] as Found | null)?.value ?? null;
    const total = value('total');
    return {
      invoice_number: value('invoice_number'),
      invoice_date: value('invoice_date'),
      total: total === null ? null : Number(total.replaceAll(',', '')),
      complete: (outputs['check'] as FieldName[]).length === 0,
    };
  },
  close: () => ocr.close(),
});
