import { createClient } from '@unfold/client/node';
import { RunSnapshotStore } from '@unfold/client/react';
import { describe, expect, it } from 'vitest';
import { useTestServer } from './test-server.js';

/** The external store behind `useRun`, against the real server. */
describe('useRun store', () => {
  const server = useTestServer();

  it('publishes immutable snapshots, coalesced per frame, with the status from lifecycle events', async () => {
    const client = createClient({ baseUrl: server().url });
    const runId = `hook-${Date.now()}`;
    const store = new RunSnapshotStore(client, runId, undefined);
    const published: Array<{ snapshot: ReturnType<typeof store.getSnapshot>; length: number }> = [];
    const finished = new Promise<void>((resolve) => {
      store.subscribe(() => {
        const snapshot = store.getSnapshot();
        published.push({ snapshot, length: snapshot.events.length });
        if (snapshot.status === 'completed') resolve();
      });
    });
    await client.createRun({ pipeline: 'firehose', input: { events: 3_000 }, run_id: runId });
    await finished;
    const last = store.getSnapshot();
    expect(last.events.map((event) => event.seq)).toEqual(last.events.map((_, index) => index + 1));
    expect(last.lastEvent?.event_type).toBe('processing_completed');
    // A published snapshot never changes afterwards, and thousands of events took far fewer renders.
    expect(published.every(({ snapshot, length }) => snapshot.events.length === length)).toBe(true);
    expect(published.length).toBeLessThan(last.events.length / 10);
    store.dispose();
  });
});
