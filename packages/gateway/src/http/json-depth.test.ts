import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth } from './json-depth.js';

/** The nesting depth of a parsed value, the way the scanner counts it. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('exceedsJsonDepth', () => {
  it('counts the outermost value as one level', () => {
    expect(exceedsJsonDepth('{}', 1)).toBe(false);
    expect(exceedsJsonDepth('{"a":[]}', 1)).toBe(true);
    expect(exceedsJsonDepth('"text"', 0)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(exceedsJsonDepth(JSON.stringify({ a: '[[[{{{', b: 'say \\"[[[ "' }), 1)).toBe(false);
  });

  it('ends a string at a quote after an escaped backslash, not before', () => {
    const text = String.raw`["a\\", [[1]], "b\"]]]"]`;
    expect(exceedsJsonDepth(text, 3)).toBe(false);
    expect(exceedsJsonDepth(text, 2)).toBe(true);
  });

  it('leaves an unterminated string to the parser', () => {
    expect(exceedsJsonDepth('["[[[[', 1)).toBe(false);
  });

  it('refuses a body nested far deeper than the stack allows, without recursing', () => {
    expect(exceedsJsonDepth('['.repeat(1_000_000) + ']'.repeat(1_000_000), 64)).toBe(true);
  });

  it.each([
    [[]],
    [{ a: [1, { b: null }], c: '}' }],
    [[[[['deep']]], [], { x: { y: { z: {} } } }]],
    [{ '[{': { '"': [true, false, { '\\': 'x' }] } }],
    [42],
  ])('agrees with the depth of %j at every limit', (value) => {
    for (let limit = 0; limit <= 6; limit++) expect(exceedsJsonDepth(JSON.stringify(value), limit)).toBe(depthOf(value) > limit);
  });
});
