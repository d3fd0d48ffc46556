import { Writable } from 'node:stream';
import type { CustomEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { ProgressView, customEventLine } from './progress-view.js';

const envelope = { event_id: 'e', run_id: 'r', pipeline: 'invoice', timestamp: '2026-01-01T00:00:00.000Z', metadata: {} };
const line = (seq: number, data: unknown): CustomEvent => ({ ...envelope, seq, event_type: 'data-line', data });

/** A terminal of `columns` that keeps what is written to it. */
function fakeTerminal(columns: number): { stream: NodeJS.WriteStream; text: () => string } {
  let written = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  Object.assign(stream, { isTTY: true, columns, rows: 40, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => written };
}

describe('progress view', () => {
  it('writes each data-* event of any pipeline as its type and its data on one line', () => {
    const terminal = fakeTerminal(80);
    const view = new ProgressView(terminal.stream);
    view.handle({ ...envelope, seq: 1, event_type: 'tool_started', tool_name: 'read_lines', status: 'started', attempt: 1 });
    view.handle(line(2, { index: 0, item: 'paper', amount: 12.5 }));
    view.handle({ ...envelope, seq: 3, event_type: 'data-total', data: { total: 99.75, currency: 'EUR' } });
    view.stop();
    expect(terminal.text()).toContain('  data-line {"index":0,"item":"paper","amount":12.5}\n');
    expect(terminal.text()).toContain('  data-total {"total":99.75,"currency":"EUR"}\n');
  });

  it('cuts a line to the terminal width', () => {
    expect(customEventLine(line(1, { item: 'x'.repeat(500) }), 40)).toBe(`  data-line {"item":"${'x'.repeat(18)}…`);
    expect(customEventLine(line(1, { item: 'x'.repeat(500) }), 40)).toHaveLength(40);
    expect(customEventLine(line(1, null), 40)).toBe('  data-line null');
  });
});
