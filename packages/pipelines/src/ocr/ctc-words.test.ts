import { describe, expect, it } from 'vitest';
import { decodeCtc, splitWords, type CtcChar } from './ctc-words.js';

const ALPHABET = ['A', 'B', 'C', ' '];

/** Scores for a column sequence of class indices (0 the blank), the chosen class at 0.9. */
function scores(classes: number[]): Float32Array {
  const out = new Float32Array(classes.length * (ALPHABET.length + 1)).fill(0.01);
  classes.forEach((klass, column) => (out[column * (ALPHABET.length + 1) + klass] = 0.9));
  return out;
}

const chars = (starts: Array<[string, number]>): CtcChar[] => starts.map(([text, start]) => ({ text, start, end: start, probability: 0.9 }));

describe('decodeCtc', () => {
  it('merges a character repeated over columns, drops blanks, and keeps a letter doubled across a blank twice', () => {
    const decoded = decodeCtc(scores([0, 1, 1, 0, 2, 0, 2, 3, 3]), 9, ALPHABET.length + 1, ALPHABET);
    expect(decoded.map((char) => char.text).join('')).toBe('ABBC');
    expect(decoded[0]).toMatchObject({ start: 1, end: 2 });
    expect(decoded[3]).toMatchObject({ start: 7, end: 8 });
  });
});

describe('splitWords', () => {
  it('splits at a decoded space and at a gap much wider than the line pitch, not at an ordinary one', () => {
    // Pitch 3 columns; C→A is 9 columns (a missed space), A→B after the space class is a word break too.
    const words = splitWords(chars([['A', 0], ['B', 3], ['C', 6], ['A', 15], ['B', 18], ['C', 21], [' ', 24], ['A', 27], ['B', 30]]));
    expect(words.map((word) => word.text)).toEqual(['ABC', 'ABC', 'AB']);
    expect(words[0]).toMatchObject({ start: 0, end: 7.5 });
    expect(words[1]?.start).toBe(13.5);
  });

  it('folds full-width punctuation, which the model reads from Chinese print, to its ASCII form', () => {
    expect(splitWords(chars([['（', 0], ['M', 3], ['）', 6]])).map((word) => word.text)).toEqual(['(M)']);
  });
});
