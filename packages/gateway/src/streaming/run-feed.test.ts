import { newRunRecord, runKey } from '@unfold/engine';
import type { RunUpdatedFrame } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { RunFeed } from './run-feed.js';

describe('RunFeed', () => {
  it('tells each watcher of its own tenant\'s runs, by their ids, until it unsubscribes', () => {
    const feed = new RunFeed();
    const acme: RunUpdatedFrame[] = [];
    const globex: RunUpdatedFrame[] = [];
    const stop = feed.subscribe('acme', (frame) => acme.push(frame));
    feed.subscribe('globex', (frame) => globex.push(frame));
    const run = newRunRecord({ run_id: runKey('acme', 'invoice-7'), tenant: 'acme', pipeline: 'demo', input: {} });
    feed.created(run);
    feed.runStarted(run);
    feed.runFinished(run, 'completed');
    expect(acme.map((frame) => [frame.run_id, frame.status])).toEqual([
      ['invoice-7', 'queued'],
      ['invoice-7', 'running'],
      ['invoice-7', 'completed'],
    ]);
    expect(globex).toEqual([]);
    stop();
    feed.runEndedBeforeStart(run, 'cancelled');
    expect(acme).toHaveLength(3);
  });
});
