import { parseAmount } from './normalize.js';
import type { LabeledField } from './receipt-labels.js';
import { AMOUNT, type ReceiptRow, type ReceiptStructure } from './receipt-structure.js';

export interface LineItem {
  description: string;
  quantity?: { amount: number; unit?: string };
  price?: { unit_price?: number; extended_price?: number };
  line_ids: number[];
  fields: LabeledField[];
}

const SKIP_ROW = /\b(TOTAL|SUB\s*TOTAL|ROUNDING|GST|SST|TAX|CHANGE|CASH|TENDER|DISCOUNT|QTY\s+DESCRIPTION|DESCRIPTION)\b/i;
const QUANTITY = /(?:^|\s)(\d{1,4}(?:\.\d{1,3})?)\s*(PCS?|PC|UNITS?|KG|G|L|ML|X|@|\*)(?=\s|$)|(?:^|\s)[X@]\s*(\d{1,4})(?=\s|$)/i;

function words(row: ReceiptRow, predicate: (text: string) => boolean): number[] {
  return row.words.filter((word) => predicate(word.text)).map((word) => word.word_id);
}

/**
 * Line items from the items section: a row ending in an amount is an item; its
 * description is its own text, or the text rows just above it when the amount row holds
 * only numbers (receipts that print the name over the price line).
 */
export function extractLineItems(structure: ReceiptStructure): LineItem[] {
  const items: LineItem[] = [];
  let pending: ReceiptRow[] = [];
  for (const row of structure.rows.filter((candidate) => candidate.section === 'items')) {
    const amounts = [...row.text.matchAll(new RegExp(AMOUNT.source, 'gi'))].map((match) => match[0].trim());
    if (amounts.length === 0 || SKIP_ROW.test(row.text)) {
      if (!SKIP_ROW.test(row.text) && /[A-Z]{2,}/i.test(row.text)) pending.push(row);
      else pending = [];
      continue;
    }
    const quantityMatch = QUANTITY.exec(row.text);
    const ownDescription = row.text
      .replace(new RegExp(AMOUNT.source, 'gi'), ' ')
      .replace(QUANTITY, ' ')
      .replace(/\b\d{6,}\b/g, ' ')
      .replace(/\b(SR|ZR|TX|S|Z|E)\*?(?=\s|$)/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    const descriptionRows = /[A-Z]{3,}/i.test(ownDescription) ? [row] : pending.length > 0 ? pending : [row];
    const description = descriptionRows === pending ? pending.map((candidate) => candidate.text.replace(/\b\d{6,}\b/g, '').trim()).join(' ').trim() : ownDescription;
    pending = [];
    if (description === '') continue;
    const extended = parseAmount(amounts.at(-1) as string);
    const unit = amounts.length > 1 ? parseAmount(amounts.at(-2) as string) : undefined;
    const quantityAmount = quantityMatch ? Number(quantityMatch[1] ?? quantityMatch[3]) : undefined;
    const quantityUnit = quantityMatch?.[2] && /[A-Z]/i.test(quantityMatch[2]) && !/^X$/i.test(quantityMatch[2]) ? quantityMatch[2].toUpperCase() : undefined;
    const fields: LabeledField[] = [];
    const add = (field_name: LabeledField['field_name'], value: string, wordRow: ReceiptRow, word_ids: number[], reasoning: string, normalized?: number) =>
      fields.push({ field_name, value, word_ids, confidence: 0.75, reasoning, row: wordRow.index, ...(normalized === undefined ? {} : { normalized }) });
    const descriptionIds = descriptionRows.flatMap((candidate) => words(candidate, (text) => /[A-Z]{2,}/i.test(text) && description.includes(text)));
    add('PRODUCT_NAME', description, descriptionRows[0] as ReceiptRow, descriptionIds, 'item text before its price');
    if (quantityAmount !== undefined) add('QUANTITY', String(quantityAmount), row, words(row, (text) => text === quantityMatch?.[1] || text === quantityMatch?.[3]), 'count beside a unit or multiplier', quantityAmount);
    if (unit !== undefined) add('UNIT_PRICE', amounts.at(-2) as string, row, words(row, (text) => text === amounts.at(-2)), 'amount before the line total', unit);
    if (extended !== undefined) add('LINE_TOTAL', amounts.at(-1) as string, row, words(row, (text) => text === amounts.at(-1)), 'last amount of the item line', extended);
    items.push({
      description,
      ...(quantityAmount === undefined ? {} : { quantity: { amount: quantityAmount, ...(quantityUnit ? { unit: quantityUnit } : {}) } }),
      price: { ...(unit === undefined ? {} : { unit_price: unit }), ...(extended === undefined ? {} : { extended_price: extended }) },
      line_ids: [...new Set([...descriptionRows, row].flatMap((candidate) => candidate.line_ids))],
      fields,
    });
  }
  return items;
}
