/** A character the recogniser emitted, at the output columns it spans. */
export interface CtcChar {
  text: string;
  /** First and last output column of the character's run. */
  start: number;
  end: number;
  probability: number;
}

/** A word of a text line, in output columns: from half a pitch before its first character to half a pitch after its last. */
export interface CtcWord {
  text: string;
  start: number;
  end: number;
  confidence: number;
}

/**
 * Greedy CTC decoding of one line's scores (`columns × classes`, class 0 the blank):
 * the best class a column, repeats merged, blanks dropped. Keeps where each character
 * sits, which the words' boxes and spaces are made from.
 */
export function decodeCtc(scores: Float32Array, columns: number, classes: number, alphabet: readonly string[]): CtcChar[] {
  const chars: CtcChar[] = [];
  let previous = 0;
  for (let column = 0; column < columns; column++) {
    let best = 0;
    let probability = -Infinity;
    for (let klass = 0, offset = column * classes; klass < classes; klass++, offset++) {
      const score = scores[offset] as number;
      if (score > probability) {
        probability = score;
        best = klass;
      }
    }
    const last = chars.at(-1);
    if (best !== 0 && best === previous && last) last.end = column;
    else if (best !== 0) chars.push({ text: alphabet[best - 1] ?? '', start: column, end: column, probability });
    previous = best;
  }
  return chars;
}

/**
 * Splits a line's characters into words. The model (trained mostly on Chinese) often
 * leaves out the space between Latin words, so a gap clearly wider than the line's own
 * character pitch splits too: on a receipt's fixed-pitch print a space is one more pitch,
 * and `gap` (in pitches) sits between one and two.
 */
export function splitWords(chars: readonly CtcChar[], gap = 1.6): CtcWord[] {
  const visible = chars.filter((char) => char.text.trim() !== '');
  const steps = visible.slice(1).map((char, index) => char.start - (visible[index] as CtcChar).start).sort((a, b) => a - b);
  const pitch = steps[Math.floor(steps.length / 2)] ?? 1;
  const words: CtcWord[] = [];
  let current: CtcChar[] = [];
  const flush = () => {
    if (current.length === 0) return;
    const first = current[0] as CtcChar;
    const last = current.at(-1) as CtcChar;
    words.push({ text: current.map((char) => char.text).join('').normalize('NFKC'), start: Math.max(0, first.start - pitch / 2), end: last.end + pitch / 2, confidence: current.reduce((sum, char) => sum + char.probability, 0) / current.length });
    current = [];
  };
  for (const char of chars) {
    if (char.text.trim() === '') {
      flush();
      continue;
    }
    const last = current.at(-1);
    // Two columns apart is the tightest any two characters sit: never a space.
    if (last && char.start - last.start > gap * pitch && char.start - last.start > 2) flush();
    current.push(char);
  }
  flush();
  return words;
}
