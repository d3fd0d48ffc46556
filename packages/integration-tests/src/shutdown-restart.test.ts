import { join } from 'node:path';
import { createSqliteStore } from '@unfold/engine';
import { describe, expect, it } from 'vitest';
import { getJson, parseNdjson, postJson, readStream, type Frame } from './raw-clients.js';
import { startTestServer, type TestServer } from './test-server.js';

const terminalOf = async (server: TestServer, runId: string): Promise<Frame | undefined> =>
  parseNdjson((await readStream(`${server.url}/v1/runs/${runId}/events`, 'application/x-ndjson')).text)
    .filter((frame) => frame.event_type.startsWith('processing_'))
    .at(-1);

async function waitForStatus(server: TestServer, runId: string, status: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await getJson(`${server.url}/v1/runs/${runId}`)).body['status'] === status) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`run ${runId} never became ${status}`);
}

describe('shutdown and restart', () => {
  it('refuses runs during the shutdown drain before writing them, and ends the runs it stops with server_shutdown', async () => {
    const first = await startTestServer({ UNFOLD_SHUTDOWN_GRACE_S: '1', UNFOLD_CONCURRENCY: '1' });
    // Emits one event, then waits a minute: only the shutdown ends it.
    const holding = { pipeline: 'firehose', input: { events: 2, pause_every: 1, pause_ms: 60_000 } };
    expect((await postJson(`${first.url}/v1/runs`, { ...holding, run_id: 'held' })).status).toBe(201);
    expect((await postJson(`${first.url}/v1/runs`, { ...holding, run_id: 'queued' })).status).toBe(201);
    await waitForStatus(first, 'held', 'running');

    const closing = first.close();
    const during = await postJson(`${first.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 }, run_id: 'during-drain' });
    expect(during.status).toBe(503);
    expect(during.body['code']).toBe('server_busy');
    const seeded = await postJson(`${first.url}/api/label-receipt/seed-during-drain`, {});
    expect(seeded.body['code']).toBe('server_busy');
    await closing;

    const again = await startTestServer({}, { dataDir: first.dataDir });
    try {
      expect((await getJson(`${again.url}/v1/runs/during-drain`)).status).toBe(404);
      expect((await getJson(`${again.url}/v1/runs/seed-during-drain`)).status).toBe(404);
      expect((await postJson(`${again.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 }, run_id: 'during-drain' })).status).toBe(201);
      expect((await postJson(`${again.url}/api/label-receipt/seed-during-drain`, {})).status).toBe(200);
      for (const runId of ['held', 'queued']) {
        expect((await getJson(`${again.url}/v1/runs/${runId}`)).body).toMatchObject({ status: 'failed', error: { code: 'server_shutdown' } });
        expect(await terminalOf(again, runId)).toMatchObject({ event_type: 'processing_failed', code: 'server_shutdown' });
      }
    } finally {
      await again.cleanup();
    }
  });

  it('gives a run a crash interrupted its real duration and counts it as started and failed', async () => {
    const first = await startTestServer();
    await first.close();
    const crashed = createSqliteStore({ path: join(first.dataDir, 'unfold.sqlite') });
    const startedAt = new Date(Date.now() - 3_000).toISOString();
    await crashed.runs.create({ run_id: 'crashed', tenant: 'default', pipeline: 'demo', status: 'running', input: {}, metadata: {}, created_at: startedAt, started_at: startedAt, finished_at: null, error: null });
    await crashed.events.append('crashed', { event_type: 'processing_started', pipeline: 'demo' });
    const last = await crashed.events.append('crashed', { event_type: 'tool_started', pipeline: 'demo', tool_name: 'fetch_document', status: 'started', attempt: 1 });
    await crashed.close();

    const again = await startTestServer({}, { dataDir: first.dataDir });
    try {
      const duration = Date.parse(last.timestamp) - Date.parse(startedAt);
      expect(duration).toBeGreaterThanOrEqual(3_000);
      expect(await terminalOf(again, 'crashed')).toMatchObject({ event_type: 'processing_failed', code: 'run_interrupted', duration_ms: duration });
      expect((await getJson(`${again.url}/v1/runs/crashed`)).body).toMatchObject({ status: 'failed', error: { code: 'run_interrupted' }, finished_at: last.timestamp });
      const metrics = await (await fetch(`${again.url}/metrics`)).text();
      expect(metrics).toMatch(/unfold_run_duration_seconds_count\{pipeline="demo",status="failed"\} 1\b/);
      expect(metrics).toMatch(/unfold_active_runs\{pipeline="demo"\} 0\b/);
    } finally {
      await again.cleanup();
    }
  });
});
