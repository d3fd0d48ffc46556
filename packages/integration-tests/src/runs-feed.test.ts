import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from '@unfold/client/node';
import type { RunUpdatedFrame } from '@unfold/protocol';
import { webRoot } from '@unfold/web';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getJson, openSocket, postJson } from './raw-clients.js';
import { startTestServer, type TestServer } from './test-server.js';

const RECEIPT = fileURLToPath(new URL('../../pipelines/fixtures/receipt.png', import.meta.url));

describe('runs feed, run image and the web app’s routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { webRoot });
  });
  afterAll(() => server.cleanup());

  it('tells a watching client of every run created and each status it passes, over /v1/ws', async () => {
    const updates: RunUpdatedFrame[] = [];
    const client = createClient({ baseUrl: server.url });
    let live!: () => void;
    const isLive = new Promise<void>((resolve) => (live = resolve));
    const feed = client.watchRuns({ update: (frame) => updates.push(frame), live: () => live() });
    await isLive;
    // The socket is live before watch_runs is handled; give the server its turn.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 }, run_id: 'fed-ok' });
    await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0, fail_tool: 'validate' }, run_id: 'fed-failing' });
    await vi.waitFor(() => expect(updates.filter((frame) => ['completed', 'failed'].includes(frame.status))).toHaveLength(2));
    feed.close();
    const statuses = (runId: string) => updates.filter((frame) => frame.run_id === runId).map((frame) => frame.status);
    expect(statuses('fed-ok')).toEqual(['queued', 'running', 'completed']);
    expect(statuses('fed-failing')).toEqual(['queued', 'running', 'failed']);
    expect(updates[0]).toMatchObject({ event_type: 'run_updated', pipeline: 'demo', created_at: expect.any(String) });
  });

  it('refuses watch_runs on a socket opened with a stream token, and keeps the socket', async () => {
    const { body } = await postJson(`${server.url}/v1/negotiate`, { run_ids: ['some-run'] });
    const connection = openSocket(`${server.wsUrl}/v1/ws?token=${encodeURIComponent(body['token'] as string)}`);
    await connection.opened;
    connection.socket.send(JSON.stringify({ type: 'watch_runs' }));
    expect(await connection.waitFor((frame) => frame.event_type === 'error')).toMatchObject({ code: 'forbidden' });
    connection.socket.send(JSON.stringify({ type: 'ping' }));
    await connection.waitFor((frame) => frame.event_type === 'pong');
    connection.socket.close();
  });

  it('serves the receipt image a run was given, and a clear 404 for a run without one', async () => {
    const png = await readFile(RECEIPT);
    await postJson(`${server.url}/v1/runs`, { pipeline: 'receipt', input: { image_base64: png.toString('base64') }, run_id: 'with-image' });
    const image = await fetch(`${server.url}/v1/runs/with-image/image`);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(png)).toBe(true);
    await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 }, run_id: 'no-image' });
    expect(await getJson(`${server.url}/v1/runs/no-image/image`)).toMatchObject({ status: 404, body: { code: 'run_not_found' } });
  });

  it('serves the app at / and at a run’s address, and leaves the API’s 404s alone', async () => {
    for (const path of ['/', '/runs/anything']) {
      const page = await fetch(`${server.url}${path}`);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toContain('<div id="root"></div>');
    }
    expect(await getJson(`${server.url}/v1/nothing-here`)).toMatchObject({ status: 404, body: { code: 'route_not_found' } });
  });
});

describe('a run cancelled while it waits for a slot', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ UNFOLD_CONCURRENCY: '1' });
  });
  afterAll(() => server.cleanup());

  it('reaches the runs feed and the run counters as cancelled', async () => {
    const updates: RunUpdatedFrame[] = [];
    let live!: () => void;
    const isLive = new Promise<void>((resolve) => (live = resolve));
    const feed = createClient({ baseUrl: server.url }).watchRuns({ update: (frame) => updates.push(frame), live: () => live() });
    await isLive;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 1 }, run_id: 'holds-the-slot' });
    await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 }, run_id: 'waits' });
    expect((await postJson(`${server.url}/v1/runs/waits/cancel`, {})).status).toBe(202);
    await vi.waitFor(() => expect(updates.filter((frame) => frame.run_id === 'waits').map((frame) => frame.status)).toEqual(['queued', 'cancelled']));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('unfold_runs_total{pipeline="demo",status="cancelled"} 1');
    expect(metrics).toContain('unfold_active_runs{pipeline="demo"} 1');
    await postJson(`${server.url}/v1/runs/holds-the-slot/cancel`, {});
    feed.close();
  });
});
