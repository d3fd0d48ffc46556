import type { LabeledField } from './receipt-labels.js';
import type { LineItem } from './line-items.js';

export interface RuleOutcome {
  rule: string;
  passed: boolean;
  message: string;
  severity: 'error' | 'warning' | 'info';
}

export type TotalsStatus = 'valid' | 'invalid' | 'valid_with_warnings';

const TOLERANCE = 0.01;
/** Within the tolerance, in cents, so 16.50 + 0.99 against 17.50 is not lost to binary floating point. */
const withinTolerance = (a: number, b: number) => Math.round(Math.abs(a - b) * 100) <= TOLERANCE * 100;

function amountOf(fields: readonly LabeledField[], name: LabeledField['field_name']): number | undefined {
  const field = fields.find((candidate) => candidate.field_name === name);
  return typeof field?.normalized === 'number' ? field.normalized : undefined;
}

const money = (value: number) => value.toFixed(2);

/**
 * The original system's totals check: errors for no line items, a missing total and
 * subtotal + tax ≠ total (tolerance 0.01); warnings for a missing subtotal or tax; a
 * note when the line items do not sum to the subtotal.
 */
export function checkTotals(fields: readonly LabeledField[], items: readonly LineItem[]): { status: TotalsStatus; rules: RuleOutcome[] } {
  const subtotal = amountOf(fields, 'SUBTOTAL');
  const tax = amountOf(fields, 'TAX');
  const total = amountOf(fields, 'GRAND_TOTAL');
  const rules: RuleOutcome[] = [
    { rule: 'has_line_items', passed: items.length > 0, message: items.length > 0 ? `${items.length} line items` : 'no line items found', severity: 'error' },
    { rule: 'has_total', passed: total !== undefined, message: total !== undefined ? `total ${money(total)}` : 'no total found', severity: 'error' },
    { rule: 'has_subtotal', passed: subtotal !== undefined, message: subtotal !== undefined ? `subtotal ${money(subtotal)}` : 'no subtotal found', severity: 'warning' },
    { rule: 'has_tax', passed: tax !== undefined, message: tax !== undefined ? `tax ${money(tax)}` : 'no tax found', severity: 'warning' },
  ];
  if (subtotal !== undefined && total !== undefined) {
    const expected = subtotal + (tax ?? 0);
    const passed = withinTolerance(expected, total);
    rules.push({
      rule: 'subtotal_plus_tax_equals_total',
      passed,
      message: `${money(subtotal)} + ${money(tax ?? 0)} = ${money(expected)}${passed ? '' : `, but the total is ${money(total)}`}`,
      severity: 'error',
    });
  }
  const extended = items.map((item) => item.price?.extended_price).filter((value): value is number => value !== undefined);
  if (subtotal !== undefined && extended.length > 0) {
    const sum = extended.reduce((a, b) => a + b, 0);
    const passed = withinTolerance(sum, subtotal);
    rules.push({ rule: 'line_items_sum_to_subtotal', passed, message: passed ? `line items sum to ${money(sum)}` : `line items sum to ${money(sum)}, subtotal is ${money(subtotal)}`, severity: 'info' });
  }
  const failed = rules.filter((rule) => !rule.passed);
  const status: TotalsStatus = failed.some((rule) => rule.severity === 'error') ? 'invalid' : failed.some((rule) => rule.severity === 'warning') ? 'valid_with_warnings' : 'valid';
  return { status, rules };
}
