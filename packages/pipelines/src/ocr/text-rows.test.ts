import { describe, expect, it } from 'vitest';
import { toReceiptWords, type TextSegment } from './text-rows.js';

const segment = (left: number, top: number, words: TextSegment['words']): TextSegment => ({ left, right: left + 100, top, bottom: top + 20, columns: 10, words });

describe('toReceiptWords', () => {
  it('puts segments printed on one row on one line, left to right, with boxes from their columns in the given scale', () => {
    const price = segment(300, 52, [{ text: '9.50', start: 0, end: 5, confidence: 0.9 }]);
    const item = segment(20, 50, [{ text: 'LATTE', start: 0, end: 5, confidence: 0.8 }, { text: 'HOT', start: 6, end: 10, confidence: 1.2 }]);
    const header = segment(60, 10, [{ text: 'CAFE', start: 2, end: 6, confidence: 0.95 }]);
    const words = toReceiptWords([price, item, header], 2);
    expect(words.map((word) => [word.text, word.line_id, word.word_id])).toEqual([
      ['CAFE', 0, 0],
      ['LATTE', 1, 1],
      ['HOT', 1, 2],
      ['9.50', 1, 3],
    ]);
    expect(words[0]?.bounding_box).toEqual({ x: 160, y: 20, width: 80, height: 40 });
    expect(words[2]?.confidence).toBe(1);
  });

  it('keeps rows apart when only their edges touch', () => {
    const words = toReceiptWords([segment(0, 0, [{ text: 'A', start: 0, end: 1, confidence: 1 }]), segment(0, 15, [{ text: 'B', start: 0, end: 1, confidence: 1 }])], 1);
    expect(words.map((word) => word.line_id)).toEqual([0, 1]);
  });
});
