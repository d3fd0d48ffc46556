import type { FieldCollector } from './field-collector.js';
import { parseAmount } from './normalize.js';
import type { ReceiptLabel } from './receipt-labels.js';
import { AMOUNT, type ReceiptRow } from './receipt-structure.js';

export const SUBTOTAL = /\bSUB\s*-?\s*TOTAL\b/i;
const NOT_TOTAL = /\(\s*TOTAL|\b((TAX|GST|SST)\s+TOTAL|(ACCEPTED|TENDERED|RECEIVED)\s+TOTAL|TOTAL\s+INCLUDED|SUB\s*-?\s*TOTAL|TOTAL\s+(QTY|QUANTITY|ITEMS?|DISC(OUNT)?|SAVINGS?|TAX|GST|SST|EXCL\w*|WEIGHT|NO\.?)|QTY|ITEMS?\s+COUNT)\b/i;
/** A tax rate ("GST @6%") marks a tax line, unless the line opens with the total the rate is included in. */
const TAX_RATE = /@\s*\d+(\.\d+)?\s*%/;
const OPENS_WITH_TOTAL = /^\s*TOTAL\b/i;
/** Total keywords, strongest first: what the customer finally pays beats a running total. */
const TOTAL_CLASSES: RegExp[] = [
  /^\s*(AMOUNT\s+)?DUE\b|\b(NETT?\s+(AMOUNT|AMT)|ROUND(ED|ING)?\s*TOTAL|TOTAL\s+((AMT|AMOUNT)\s+)?ROUNDED|ROUNDED\s+(AMT|AMOUNT)|NETT?\s*TOTAL|GRAND\s*TOTAL|TOTAL\s+(PAYABLE|DUE)|AMOUNT\s+(DUE|PAYABLE)|BALANCE\s+DUE|TOTAL\s+AMOUNT\s+PAYABLE)\b/i,
  /\bTOTAL\s*(\(?\s*RM\s*\)?|AMOUNT|AMT|SALES?|INCL\w*(\s+(GST|SST|TAX))?|\(INCL[^)]*\))/i,
  /\b(TOTAL|TTL|TL)\b/i,
];

function amountsIn(text: string): Array<{ text: string; index: number }> {
  const found: Array<{ text: string; index: number }> = [];
  const pattern = new RegExp(AMOUNT.source, 'gi');
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) found.push({ text: match[0].trim(), index: match.index });
  return found;
}

/**
 * Amounts of a row, each read within one OCR line: a currency sign printed in its own
 * box ("RM" | "9.00") is not part of the amount, one printed with it ("RM9.00") is.
 */
function rowAmounts(row: ReceiptRow): string[] {
  const lines = new Map<number, string[]>();
  for (const word of row.words) lines.set(word.line_id, [...(lines.get(word.line_id) ?? []), word.text]);
  return [...lines.values()].flatMap((words) => amountsIn(words.join(' ')).map((amount) => amount.text));
}

/**
 * The amount as printed: a currency sign written onto the number stays (`RM9.00`,
 * `$8.20`), one set apart by a space is a label and goes (`RM 9.00` → `9.00`).
 */
function bareAmount(text: string): string {
  return text.trim().replace(/^(-?)(RM|\$|€|£)\s+/i, '$1');
}

/** The amount that belongs to a keyword row: on the row itself, else alone on the next one. */
function amountForRow(rows: readonly ReceiptRow[], row: ReceiptRow): { value: string; row: ReceiptRow } | undefined {
  const own = rowAmounts(row).at(-1);
  if (own) return { value: bareAmount(own), row };
  const next = rows[row.index + 1];
  if (next && !/[A-Z]{3,}/i.test(next.text.replace(/\bRM\b/i, ''))) {
    const first = rowAmounts(next)[0];
    if (first) return { value: bareAmount(first), row: next };
  }
  return undefined;
}

/**
 * Cash is paid to the nearest 5 sen: when a total is not a multiple of 0.05 and its 5-sen
 * rounding is printed below it (within 2 sen, as a rounding adjustment moves it), that
 * printed amount is what the customer pays, whatever its line is called.
 */
function roundedPayable(rows: readonly ReceiptRow[], total: { value: string; row: ReceiptRow }): { value: string; row: ReceiptRow } | undefined {
  const value = parseAmount(total.value);
  if (value === undefined) return undefined;
  const rounded = Math.round(value * 20) / 20;
  if (Math.abs(rounded - value) < 0.005) return undefined;
  for (const row of rows.filter((candidate) => candidate.index > total.row.index)) {
    const match = rowAmounts(row).find((amount) => Math.abs((parseAmount(amount) ?? Number.NaN) - rounded) < 0.005);
    if (match) return { value: bareAmount(match), row };
  }
  return undefined;
}

export function findTotal(rows: readonly ReceiptRow[], collector: FieldCollector): void {
  // Tax summaries repeat "TOTAL" for the tax table; what follows one is not the total.
  const summary = rows.findIndex((row) => /\b(GST|TAX|SST)\s+SUMMARY\b|\bSUMMARY\b|\bTAX\s+CODE\b/i.test(row.text) && row.index > 2);
  const searchable = rows.filter((row) => row.index > 1 && (summary < 0 || row.index < summary));
  const isCandidate = (row: ReceiptRow, rank: number) =>
    (TOTAL_CLASSES[rank] as RegExp).test(row.text) && !(rank > 0 && (NOT_TOTAL.test(row.text) || (TAX_RATE.test(row.text) && !OPENS_WITH_TOTAL.test(row.text)))) && !SUBTOTAL.test(row.text) && !/\bEXCL/i.test(row.text);
  const take = (row: ReceiptRow, rank: number, why: string): boolean => {
    const amount = amountForRow(rows, row);
    if (!amount) return false;
    const payable = roundedPayable(searchable, amount);
    if (payable) collector.add('GRAND_TOTAL', payable.row, payable.value, 0.85, `${why}, rounded to the 5 sen printed below it`, parseAmount(payable.value));
    else collector.add('GRAND_TOTAL', amount.row, amount.value, [0.95, 0.9, 0.85][rank] ?? 0.8, why, parseAmount(amount.value));
    return true;
  };
  // The final payable: an explicit rounded/nett/grand total (the last one), else the
  // first total printed after a rounding adjustment, else the first total line.
  for (const row of searchable.filter((candidate) => isCandidate(candidate, 0)).reverse()) {
    if (take(row, 0, `amount of the "${TOTAL_CLASSES[0]?.exec(row.text)?.[0]}" line`)) return;
  }
  // An item can be round ("BRACKET (ROUND)"): the adjustment is a line after the items.
  const rounding = searchable.find((row) => row.section !== 'items' && /\bROUND(ING)?\b.*\b(ADJ|ADJUSTMENT)?/i.test(row.text) && !/TOTAL/i.test(row.text));
  if (rounding) {
    const after = searchable.find((row) => row.index > rounding.index && (isCandidate(row, 1) || isCandidate(row, 2)));
    if (after && take(after, 1, 'the total after the rounding adjustment')) return;
  }
  for (const rank of [1, 2]) {
    for (const row of searchable.filter((candidate) => isCandidate(candidate, rank))) {
      if (take(row, rank, `amount of the "${TOTAL_CLASSES[rank]?.exec(row.text)?.[0]}" line`)) return;
    }
  }
  // No total keyword: the amount just above what was paid or given back.
  const paid = rows.find((row) => row.section !== 'header' && /\b(CASH|CHANGE|TENDER(ED)?|ACCEPTED|RECEIVED)\b/i.test(row.text));
  const before = paid ? [...rows.slice(0, paid.index)].reverse().find((row) => rowAmounts(row).length > 0) : undefined;
  const amount = before && rowAmounts(before).at(-1);
  if (before && amount) collector.add('GRAND_TOTAL', before, bareAmount(amount), 0.5, 'last amount before the payment lines', parseAmount(amount));
}

export function findKeywordAmount(rows: readonly ReceiptRow[], label: ReceiptLabel, keyword: RegExp, exclude: RegExp | undefined, confidence: number, reasoning: string, collector: FieldCollector): void {
  const row = rows.find((candidate) => candidate.section !== 'header' && keyword.test(candidate.text) && !(exclude && exclude.test(candidate.text)) && amountForRow(rows, candidate));
  if (!row) return;
  const amount = amountForRow(rows, row);
  if (amount) collector.add(label, amount.row, amount.value, confidence, reasoning, parseAmount(amount.value));
}

