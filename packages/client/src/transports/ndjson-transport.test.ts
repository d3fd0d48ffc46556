import { describe, expect, it } from 'vitest';
import { lineSplitter } from './ndjson-transport.js';

describe('lineSplitter', () => {
  it('joins lines split across chunks and skips blank lines', () => {
    const lines: string[] = [];
    const splitter = lineSplitter((line) => lines.push(line));
    for (const chunk of ['{"a":', '1}\n\n{"b"', ':2}\n{"c":3', '}\n']) splitter.push(chunk);
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('holds a last line without its newline until it is complete', () => {
    const lines: string[] = [];
    const splitter = lineSplitter((line) => lines.push(line));
    splitter.push('{"a":1}');
    expect(lines).toEqual([]);
    splitter.push('\n');
    expect(lines).toEqual(['{"a":1}']);
  });
});
