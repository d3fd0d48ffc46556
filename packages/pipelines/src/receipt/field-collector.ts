import type { LabeledField, ReceiptLabel } from './receipt-labels.js';
import type { ReceiptRow } from './receipt-structure.js';

export function wordIdsFor(row: ReceiptRow, value: string): number[] {
  const upper = value.toUpperCase();
  return row.words.filter((word) => word.text.length > 0 && upper.includes(word.text.toUpperCase())).map((word) => word.word_id);
}

function meanConfidence(row: ReceiptRow, wordIds: number[]): number {
  const words = row.words.filter((word) => wordIds.includes(word.word_id));
  if (words.length === 0) return 1;
  return words.reduce((sum, word) => sum + word.confidence, 0) / words.length;
}

/** Gathers labelled fields in the order they are found, with word ids and confidence. */
export class FieldCollector {
  readonly fields: LabeledField[] = [];

  add(field_name: ReceiptLabel, row: ReceiptRow, value: string, ruleConfidence: number, reasoning: string, normalized?: string | number, wordIds?: number[]): LabeledField {
    const word_ids = wordIds ?? wordIdsFor(row, value);
    const field: LabeledField = {
      field_name,
      value,
      word_ids,
      confidence: Math.round(ruleConfidence * meanConfidence(row, word_ids) * 100) / 100,
      reasoning,
      row: row.index,
      ...(normalized === undefined ? {} : { normalized }),
    };
    this.fields.push(field);
    return field;
  }
}

