import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TERMINAL_EVENT_TYPES } from '@unfold/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { openHttpStream } from './faults/http-stream-reader.js';
import { getJson, parseNdjson, postJson, readStream, stored, type Frame } from './raw-clients.js';
import { spawnServer, type ServerProcess } from './faults/spawn-server.js';

/**
 * Fault injection on a real filesystem: the data directory is a 2 MB tmpfs (mounting needs
 * root, as CI runs; without it these tests fail rather than skip), filled until writes
 * fail, or mounted read-only.
 */
async function tinyDisk(options = 'size=2m'): Promise<string> {
  const mountPoint = await mkdtemp(join(tmpdir(), 'unfold-tiny-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint]);
  mounts.push(mountPoint);
  return mountPoint;
}

const mounts: string[] = [];
const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const server of servers) {
    await server.stop('SIGKILL');
  }
  for (const mountPoint of mounts) {
    execFileSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  }
});

async function serve(dataDir: string): Promise<ServerProcess> {
  const server = await spawnServer({}, { dataDir });
  servers.push(server);
  return server;
}

/** Writes a filler file until the disk refuses more. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const isTerminal = (frame: Frame) => (TERMINAL_EVENT_TYPES as readonly string[]).includes(frame.event_type);

async function eventsOf(url: string, runId: string): Promise<Frame[]> {
  return stored(parseNdjson((await readStream(`${url}/v1/runs/${runId}/events`, 'application/x-ndjson')).text));
}

/** Every stored run's log is gapless from 1 and holds at most one terminal event, as its last. */
async function expectIntactLogs(url: string): Promise<void> {
  const runs = (await getJson(`${url}/v1/runs?limit=100`)).body['runs'] as Array<{ run_id: string; status: string }>;
  for (const run of runs) {
    if (run.status === 'queued' || run.status === 'running') continue;
    const events = await eventsOf(url, run.run_id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter(isTerminal)).toHaveLength(1);
    expect(isTerminal(events.at(-1) as Frame)).toBe(true);
  }
}

describe('a full disk', () => {
  it('refuses new runs with 503 storage_unavailable, fails running ones cleanly, is not ready, and recovers when space returns', async () => {
    const dataDir = await tinyDisk();
    const server = await serve(dataDir);
    const running = (await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 3 } })).body['run_id'] as string;
    const recorder = openHttpStream(`${server.url}/v1/runs/${running}/events`, 'ndjson');
    await until(() => stored(recorder.frames).length >= 3, 'the run to be under way');
    const filler = join(dataDir, 'filler');
    fillDisk(filler);

    // The subscriber is told, with a code, instead of waiting in silence.
    await recorder.ended;
    expect(recorder.frames.at(-1)).toMatchObject({ event_type: 'error', code: expect.any(String) });
    const refused = await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 } });
    expect(refused).toMatchObject({ status: 503, body: { code: 'storage_unavailable' } });
    expect(await getJson(`${server.url}/readyz`)).toMatchObject({ status: 503, body: { code: 'storage_unavailable' } });
    expect((await getJson(`${server.url}/healthz`)).status).toBe(200);

    await rm(filler);
    expect((await getJson(`${server.url}/readyz`)).status).toBe(200);
    // The interrupted run's end is written once there is room: failed, coded, after what the client saw.
    await until(async () => (await getJson(`${server.url}/v1/runs/${running}`)).body['status'] === 'failed', 'the failed run to be recorded');
    const events = await eventsOf(server.url, running);
    expect(events.slice(0, stored(recorder.frames).length)).toEqual(stored(recorder.frames));
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_failed', code: 'storage_unavailable' });
    const fresh = await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 } });
    expect(fresh.status).toBe(201);
    await until(async () => (await getJson(`${server.url}/v1/runs/${fresh.body['run_id'] as string}`)).body['status'] === 'completed', 'a new run to complete');
    await expectIntactLogs(server.url);
  });
});

describe('a read-only data directory', () => {
  it('stops the server at start with storage_unavailable naming the directory, and leaves the stored runs intact', async () => {
    const dataDir = await tinyDisk();
    const first = await serve(dataDir);
    const runId = (await postJson(`${first.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 } })).body['run_id'] as string;
    await until(async () => (await getJson(`${first.url}/v1/runs/${runId}`)).body['status'] === 'completed', 'the run to complete');
    const before = await eventsOf(first.url, runId);
    await first.stop('SIGTERM');

    execFileSync('mount', ['-o', 'remount,ro', dataDir]);
    const refused = await spawnServer({}, { dataDir }).catch((error: unknown) => error as Error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toContain('storage_unavailable');
    expect((refused as Error).message).toContain(dataDir);

    execFileSync('mount', ['-o', 'remount,rw', dataDir]);
    const again = await serve(dataDir);
    expect(await eventsOf(again.url, runId)).toEqual(before);
    await expectIntactLogs(again.url);
  });
});
