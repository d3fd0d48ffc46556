import { SROIE_FIELDS, type SroieField } from './sroie-score.js';

/**
 * How a printed line may end where the next line of the same value follows it, when a
 * person copies the lines out as one string: as printed, with a set-apart comma closed up,
 * a full stop made a comma, its punctuation dropped, a comma added, or space before its
 * punctuation removed. A superset of the choices the address rules are fitted over.
 */
const JOINED_ENDS: ReadonlyArray<(line: string) => string> = [
  (line) => line,
  (line) => line.replace(/\s+,$/, ','),
  (line) => line.replace(/\.$/, ','),
  (line) => line.replace(/[\s.,]+$/, ''),
  (line) => (/[,.]$/.test(line) ? line : `${line},`),
  (line) => line.replace(/\s+([,.])$/, '$1'),
];
/** How the value's last line may end: as printed, its punctuation dropped, or closed up to it. */
const FINAL_ENDS: ReadonlyArray<(line: string) => string> = [(line) => line, (line) => line.replace(/[\s.,]+$/, ''), (line) => line.replace(/\s+([,.])$/, '$1')];

/**
 * Whether `value` can be copied out of `lines` without changing a printed character inside
 * a line: some run of at most `maxLines` consecutive lines joined by spaces, each line's
 * end written one of the ways above, or a part of one line.
 */
export function copiable(lines: readonly string[], value: string, maxLines: number): boolean {
  if (value === '') return false;
  if (lines.some((line) => line.includes(value))) return true;
  const joins = (run: readonly string[], copied: string): boolean => {
    const [line, ...rest] = run;
    if (line === undefined) return false;
    if (rest.length === 0) return FINAL_ENDS.some((end) => end(copied + line) === value);
    // Only ways that still agree with the value so far are followed.
    return JOINED_ENDS.some((end) => {
      const next = `${copied}${end(line)} `;
      return value.startsWith(next) && joins(rest, next);
    });
  };
  for (let first = 0; first < lines.length; first++) {
    for (let count = 2; count <= maxLines && first + count <= lines.length; count++) if (joins(lines.slice(first, first + count), '')) return true;
  }
  return false;
}

/** A receipt's printed lines in reading order, with its ground truth. */
export interface PrintedReceipt {
  lines: readonly string[];
  key: Partial<Record<SroieField, string>>;
}

/** A name runs to a few lines; an address to the most the address rules may take. */
const MAX_LINES: Record<SroieField, number> = { company: 3, address: 6, date: 1, total: 1 };

/**
 * The share of keys, per field and overall, that can be copied out of the receipts' lines
 * (see `copiable`): the most recall, in exact scoring, any reader of those lines can reach
 * without rewriting what a line prints. A key typed differently from what the OCR read —
 * other letters, other spacing or punctuation inside a line — is out of its reach.
 */
export function copyCeiling(receipts: readonly PrintedReceipt[]): Record<SroieField | 'overall', number> {
  const copied = { company: 0, address: 0, date: 0, total: 0, overall: 0 };
  const keys = { ...copied };
  for (const { lines, key } of receipts) {
    for (const field of SROIE_FIELDS) {
      const value = key[field]?.trim() ?? '';
      if (value === '') continue;
      const found = copiable(lines, value, MAX_LINES[field]) ? 1 : 0;
      for (const name of [field, 'overall'] as const) {
        keys[name]++;
        copied[name] += found;
      }
    }
  }
  const share = (name: SroieField | 'overall') => (keys[name] === 0 ? 0 : Math.round((copied[name] / keys[name]) * 1000) / 1000);
  return { company: share('company'), address: share('address'), date: share('date'), total: share('total'), overall: share('overall') };
}
