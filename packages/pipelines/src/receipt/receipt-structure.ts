import type { ReceiptWord } from './receipt-words.js';

export type ReceiptSection = 'header' | 'items' | 'totals' | 'footer';

/** A visual row: OCR lines whose vertical extents overlap, left to right. */
export interface ReceiptRow {
  index: number;
  text: string;
  words: ReceiptWord[];
  line_ids: number[];
  top: number;
  bottom: number;
  section: ReceiptSection;
}

export interface ReceiptStructure {
  rows: ReceiptRow[];
  sections: Array<{ section: ReceiptSection; first_row: number; last_row: number }>;
}

/** A money amount as printed: `9.00`, `1,234.50`, `RM9.00`, `-3.00`. */
export const AMOUNT = /(?<![\d/.:])-?(?:RM|\$|€|£)?\s?\d{1,3}(?:,\d{3})*\.\d{2}(?![\d/])/i;
const TOTALS = /\b(SUB\s*-?\s*TOTAL|TOTAL|AMOUNT\s+DUE|BALANCE\s+DUE|ROUNDING|ROUND(ED)?\s+(AMT|ADJ)|GST|SST|TAX|CHANGE|CASH|TENDER|PAYMENT)\b/i;
const ITEM_HEADINGS = /\b(QTY|DESCRIPTION|ITEM|PRICE|AMOUNT|AMT)\b/i;

function lineGroups(words: readonly ReceiptWord[]): ReceiptWord[][] {
  const byLine = new Map<number, ReceiptWord[]>();
  for (const word of words) {
    const line = byLine.get(word.line_id);
    if (line) line.push(word);
    else byLine.set(word.line_id, [word]);
  }
  return [...byLine.values()].map((line) => line.sort((a, b) => a.bounding_box.x - b.bounding_box.x));
}

const top = (line: ReceiptWord[]) => Math.min(...line.map((word) => word.bounding_box.y));
const bottom = (line: ReceiptWord[]) => Math.max(...line.map((word) => word.bounding_box.y + word.bounding_box.height));
const left = (line: ReceiptWord[]) => Math.min(...line.map((word) => word.bounding_box.x));
const right = (line: ReceiptWord[]) => Math.max(...line.map((word) => word.bounding_box.x + word.bounding_box.width));

/** The slopes tried for a receipt photographed or scanned askew: up to about 4.5° either way. */
const SLOPES = Array.from({ length: 33 }, (_, step) => (step - 16) * 0.005);

/**
 * How far the page's rows fall per unit of width. A row's label and its amount are boxes
 * side by side; on a receipt set askew (or curled) the amount drifts up or down from its
 * label the further right it is. The slope kept is the one under which the most boxes
 * find a box beside them (no horizontal overlap) at the same height, within a quarter of
 * the smaller height; level wins a tie.
 */
function slopeOf(lines: readonly ReceiptWord[][]): number {
  const boxes = lines.map((line) => ({ left: left(line), right: right(line), top: top(line), bottom: bottom(line) }));
  // The pairs side by side that some slope tried could bring level, found once.
  const steepest = Math.max(...SLOPES.map(Math.abs));
  const pairs: Array<{ box: number; run: number; rise: number; tolerance: number }> = [];
  for (const [index, box] of boxes.entries()) {
    for (const other of boxes) {
      if (other === box || !(other.left >= box.right || other.right <= box.left)) continue;
      const run = (other.left + other.right - box.left - box.right) / 2;
      const rise = (other.top + other.bottom - box.top - box.bottom) / 2;
      const tolerance = 0.25 * Math.min(box.bottom - box.top, other.bottom - other.top);
      if (Math.abs(rise) < steepest * Math.abs(run) + tolerance) pairs.push({ box: index, run, rise, tolerance });
    }
  }
  const aligned = (slope: number) => new Set(pairs.filter(({ run, rise, tolerance }) => Math.abs(rise - slope * run) < tolerance).map(({ box }) => box)).size;
  let best = { slope: 0, count: aligned(0) };
  for (const slope of SLOPES) {
    const count = aligned(slope);
    if (count > best.count) best = { slope, count };
  }
  return best.slope;
}

/**
 * Rows by vertical overlap (a line joins a row when more than half of the smaller of the
 * two heights overlaps), then sections: items start at the first row with an amount after
 * the header, totals at the first totals keyword after an item, footer after the last
 * totals row.
 */
export function analyseStructure(words: readonly ReceiptWord[]): ReceiptStructure {
  const grouped = lineGroups(words);
  const slope = slopeOf(grouped);
  // Heights measured level: a line's offset from the page's slope at its middle.
  const lines = grouped
    .map((line) => {
      const offset = slope * ((left(line) + right(line)) / 2);
      return { words: line, left: left(line), right: right(line), top: top(line) - offset, bottom: bottom(line) - offset };
    })
    .sort((a, b) => a.top - b.top);
  const rows: Array<{ words: ReceiptWord[]; spans: Array<{ left: number; right: number }>; top: number; bottom: number }> = [];
  for (const line of lines) {
    const row = rows.find((candidate) => {
      const overlap = Math.min(candidate.bottom, line.bottom) - Math.max(candidate.top, line.top);
      // Lines one above the other share no row, however close: their words would interleave.
      const stacked = candidate.spans.some((span) => span.left < line.right && span.right > line.left);
      return !stacked && overlap > 0.5 * Math.min(candidate.bottom - candidate.top, line.bottom - line.top);
    });
    if (row) {
      row.words.push(...line.words);
      row.spans.push(line);
      row.top = Math.min(row.top, line.top);
      row.bottom = Math.max(row.bottom, line.bottom);
    } else {
      rows.push({ words: [...line.words], spans: [line], top: line.top, bottom: line.bottom });
    }
  }
  rows.sort((a, b) => a.top - b.top);
  const built: ReceiptRow[] = rows.map((row, index) => {
    const sorted = row.words.sort((a, b) => a.bounding_box.x - b.bounding_box.x);
    return {
      index,
      text: sorted.map((word) => word.text).join(' '),
      words: sorted,
      line_ids: [...new Set(sorted.map((word) => word.line_id))],
      top: row.top,
      bottom: row.bottom,
      section: 'header',
    };
  });
  assignSections(built);
  return { rows: built, sections: summariseSections(built) };
}

function assignSections(rows: ReceiptRow[]): void {
  // Items start at the first priced row after the heading lines (or after the column
  // headings just above it); totals at the first totals keyword after an item.
  const firstAmount = rows.findIndex((row, index) => index > 1 && AMOUNT.test(row.text) && !TOTALS.test(row.text));
  let itemsStart = firstAmount;
  for (let index = firstAmount - 1; index >= Math.max(0, firstAmount - 4); index--) {
    if (ITEM_HEADINGS.test(rows[index]?.text ?? '')) {
      itemsStart = index + 1;
      break;
    }
  }
  const totalsStart = itemsStart < 0 ? -1 : rows.findIndex((row, index) => index > itemsStart && TOTALS.test(row.text));
  let lastTotals = -1;
  rows.forEach((row, index) => {
    if (totalsStart >= 0 && index >= totalsStart && (TOTALS.test(row.text) || AMOUNT.test(row.text))) lastTotals = index;
  });
  for (const row of rows) {
    if (itemsStart < 0 || row.index < itemsStart) row.section = 'header';
    else if (totalsStart < 0 || row.index < totalsStart) row.section = 'items';
    else if (row.index <= lastTotals) row.section = 'totals';
    else row.section = 'footer';
  }
}

function summariseSections(rows: readonly ReceiptRow[]): ReceiptStructure['sections'] {
  const sections: ReceiptStructure['sections'] = [];
  for (const row of rows) {
    const last = sections.at(-1);
    if (last && last.section === row.section) last.last_row = row.index;
    else sections.push({ section: row.section, first_row: row.index, last_row: row.index });
  }
  return sections;
}
