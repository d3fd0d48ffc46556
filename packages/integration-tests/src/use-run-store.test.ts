import { createClient } from '@unfold/client/node';
import { RunSnapshotStore } from '@unfold/client/react';
import { describe, expect, it } from 'vitest';
import { useTestServer } from './test-server.js';

/** The external store behind `useRun`, against the real server. */
describe('useRun store', () => {
  const server = useTestServer();

  it('publishes a new immutable snapshot per event, with the status from lifecycle events', async () => {
    const client = createClient({ baseUrl: server().url });
    const runId = `hook-${Date.now()}`;
    const store = new RunSnapshotStore(client, runId, undefined);
    const snapshots = new Set<unknown>();
    const finished = new Promise<void>((resolve) => {
      store.subscribe(() => {
        const snapshot = store.getSnapshot();
        snapshots.add(snapshot);
        if (snapshot.status === 'completed') resolve();
      });
    });
    await client.createRun({ pipeline: 'demo', input: { pace: 0 }, run_id: runId });
    await finished;
    const last = store.getSnapshot();
    expect(last.events.map((event) => event.seq)).toEqual(last.events.map((_, index) => index + 1));
    expect(last.lastEvent?.event_type).toBe('processing_completed');
    expect(snapshots.size).toBeGreaterThan(last.events.length);
    store.dispose();
  });
});
