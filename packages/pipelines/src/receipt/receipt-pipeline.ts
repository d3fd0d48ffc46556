import { definePipeline, defineTool, type ToolContext } from '@unfold/engine';
import { createOcrTool, type OcrToolOptions } from './ocr-extraction.js';
import { currencyOf, DEFAULT_RECEIPT_RULES, labelFields, type ReceiptRuleParameters } from './field-labeler.js';
import { extractLineItems, type LineItem } from './line-items.js';
import type { LabeledField } from './receipt-labels.js';
import { receiptInputSchema } from './receipt-input.js';
import { analyseStructure, type ReceiptStructure } from './receipt-structure.js';
import type { ReceiptWord } from './receipt-words.js';
import { checkTotals } from './totals-check.js';

const structureAnalysis = defineTool({
  name: 'structure_analysis',
  input: receiptInputSchema,
  run(context) {
    const words = 'words' in context.input ? context.input.words : (context.outputs['ocr_extraction'] as ReceiptWord[]);
    context.emit('receipt_words', {
      words: words.map((word) => ({
        word_id: word.word_id,
        line_id: word.line_id,
        text: word.text,
        box: [word.bounding_box.x, word.bounding_box.y, word.bounding_box.width, word.bounding_box.height],
        confidence: word.confidence,
      })),
    });
    const structure = analyseStructure(words);
    context.progress(100, `${structure.rows.length} rows in ${structure.sections.map((section) => section.section).join(', ')}`);
    return structure;
  },
});

function emitField(context: ToolContext<unknown>, field: LabeledField): void {
  context.emit('field_labeled', {
    field_name: field.field_name,
    value: field.value,
    confidence: field.confidence,
    reasoning: field.reasoning,
    word_ids: field.word_ids,
    ...(field.normalized === undefined ? {} : { normalized: field.normalized }),
  });
}

function fieldLabeling(rules: ReceiptRuleParameters) {
  return defineTool({
    name: 'field_labeling',
    run(context) {
      const fields = labelFields(context.outputs['structure_analysis'] as ReceiptStructure, rules);
      for (const [index, field] of fields.entries()) {
        emitField(context, field);
        context.progress(((index + 1) / fields.length) * 100, field.field_name);
      }
      return fields;
    },
  });
}

const lineItemExtraction = defineTool({
  name: 'line_item_extraction',
  run(context) {
    const items = extractLineItems(context.outputs['structure_analysis'] as ReceiptStructure);
    for (const [index, item] of items.entries()) {
      for (const field of item.fields) emitField(context, field);
      context.emit('line_item_found', {
        description: item.description,
        ...(item.quantity ? { quantity: item.quantity } : {}),
        ...(item.price ? { price: item.price } : {}),
        line_ids: item.line_ids,
      });
      context.progress(((index + 1) / items.length) * 100, item.description);
    }
    return items;
  },
});

const validation = defineTool({
  name: 'validation',
  run(context) {
    const check = checkTotals(context.outputs['field_labeling'] as LabeledField[], context.outputs['line_item_extraction'] as LineItem[]);
    for (const rule of check.rules) context.emit('validation_result', rule);
    return check;
  },
});

const single = (fields: readonly LabeledField[], name: LabeledField['field_name']) => fields.find((field) => field.field_name === name);

export interface ReceiptPipelineOptions extends OcrToolOptions {
  /** The labelling rules' tuned numbers; by default the ones shipped. */
  rules?: ReceiptRuleParameters;
}

/**
 * Image (OCR) or words → structure → fields → line items → totals check, in the seed's
 * order. The OCR tool keeps its pool and fetcher until the pipeline's `close`.
 */
export function createReceiptPipeline(options: ReceiptPipelineOptions = {}) {
  const ocr = createOcrTool(options);
  return definePipeline({
    name: 'receipt',
    description: 'receipt image, OCR words or SROIE boxes → labelled fields, line items and a totals check',
    input: receiptInputSchema,
    steps: [ocr, structureAnalysis, fieldLabeling(options.rules ?? DEFAULT_RECEIPT_RULES), lineItemExtraction, validation],
    result: receiptResult,
    close: () => ocr.close(),
  });
}

function receiptResult(outputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const fields = (outputs['field_labeling'] as LabeledField[] | undefined) ?? [];
  const items = (outputs['line_item_extraction'] as LineItem[] | undefined) ?? [];
  const structure = outputs['structure_analysis'] as ReceiptStructure;
  const amount = (name: LabeledField['field_name']) => single(fields, name)?.normalized ?? null;
  return {
    merchant_name: single(fields, 'MERCHANT_NAME')?.value ?? null,
    address: fields.filter((field) => field.field_name === 'ADDRESS_LINE').map((field) => field.value).join(' ') || null,
    phone_number: single(fields, 'PHONE_NUMBER')?.value ?? null,
    date: single(fields, 'DATE')?.value ?? null,
    date_iso: single(fields, 'DATE')?.normalized ?? null,
    time: single(fields, 'TIME')?.value ?? null,
    subtotal: amount('SUBTOTAL'),
    tax: amount('TAX'),
    total: single(fields, 'GRAND_TOTAL')?.value ?? null,
    total_amount: amount('GRAND_TOTAL'),
    currency: currencyOf(structure) ?? null,
    payment_method: single(fields, 'PAYMENT_METHOD')?.value ?? null,
    line_items: items.map(({ fields: _fields, ...item }) => item),
    fields: [...fields, ...items.flatMap((item) => item.fields)],
    validation: outputs['validation'],
  };
}

/** The receipt pipeline a server registers by default. */
export const receiptPipeline = createReceiptPipeline();
