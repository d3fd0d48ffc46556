import type { ReceiptWord } from '../receipt/receipt-words.js';
import type { CtcWord } from './ctc-words.js';

/** A detected stretch of text: its box (in the image it was cut from) and its words in recogniser columns. */
export interface TextSegment {
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** The recogniser's output columns across the segment. */
  columns: number;
  words: CtcWord[];
}

const middle = (segment: TextSegment) => (segment.top + segment.bottom) / 2;

/**
 * Receipt words from detected segments, boxes scaled by `scale`. The detector cuts a
 * printed row at wide gaps (an item and its price); segments whose middles lie within
 * each other's height are one row, one `line_id`, left to right, as Tesseract gives a line.
 */
export function toReceiptWords(segments: readonly TextSegment[], scale: number): ReceiptWord[] {
  const rows: TextSegment[][] = [];
  for (const segment of [...segments].sort((a, b) => middle(a) - middle(b))) {
    const row = rows.at(-1);
    const first = row?.[0];
    if (row && first && middle(segment) > first.top && middle(segment) < first.bottom && middle(first) > segment.top && middle(first) < segment.bottom) row.push(segment);
    else rows.push([segment]);
  }
  const words: ReceiptWord[] = [];
  for (const [lineId, row] of rows.entries()) {
    for (const segment of row.sort((a, b) => a.left - b.left)) {
      const perColumn = (segment.right - segment.left) / Math.max(1, segment.columns);
      for (const word of segment.words) {
        const x = segment.left + word.start * perColumn;
        const right = segment.left + Math.min(segment.columns, word.end) * perColumn;
        words.push({
          word_id: words.length,
          line_id: lineId,
          text: word.text,
          bounding_box: { x: Math.round(x * scale), y: Math.round(segment.top * scale), width: Math.max(1, Math.round((right - x) * scale)), height: Math.max(1, Math.round((segment.bottom - segment.top) * scale)) },
          confidence: Math.max(0, Math.min(1, word.confidence)),
        });
      }
    }
  }
  return words;
}
