import { describe, expect, it } from 'vitest';
import { oneLineJson, prettyJson } from './json-text.js';

describe('json text', () => {
  it('indents a payload and cuts one too long to render, saying how much was left out', () => {
    expect(prettyJson({ total: 99.75 })).toEqual({ text: '{\n  "total": 99.75\n}', omitted: 0 });
    const large = { blob: 'x'.repeat(300_000) };
    const cut = prettyJson(large);
    expect(cut.text).toHaveLength(8_000);
    expect(cut.text.length + cut.omitted).toBe(JSON.stringify(large, null, 2).length);
  });

  it('summarises a payload on one line, shortened with an ellipsis', () => {
    expect(oneLineJson({ item: 'paper', amount: 12.5 })).toBe('{"item":"paper","amount":12.5}');
    expect(oneLineJson({ text: 'a'.repeat(500) }, 20)).toBe('{"text":"aaaaaaaaaa…');
    expect(oneLineJson(undefined)).toBe('undefined');
  });
});
