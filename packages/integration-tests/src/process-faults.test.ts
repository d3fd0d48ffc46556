import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDataDir } from '@unfold/engine';
import { TERMINAL_EVENT_TYPES } from '@unfold/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openHttpStream } from './faults/http-stream-reader.js';
import { getJson, parseNdjson, postJson, readStream, stored, type Frame } from './raw-clients.js';
import { spawnServer, UNFOLD_BIN, type ServerProcess } from './faults/spawn-server.js';

const started: ServerProcess[] = [];
const directories: string[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) {
    await server.stop('SIGKILL');
  }
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'unfold-process-'));
  directories.push(directory);
  return directory;
}

async function serve(directory: string): Promise<ServerProcess> {
  const server = await spawnServer({}, { dataDir: directory });
  started.push(server);
  return server;
}

/** `unfold run` as a user types it, in the given data directory. */
function unfoldRun(args: string[], stdin: string, directory: string, onOutput?: () => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const { UNFOLD_URL: _ignored, ...env } = process.env;
    // No grace at shutdown: an embedded server that ends with its own run cancels any other.
    const child = spawn(process.execPath, [UNFOLD_BIN, 'run', ...args], { env: { ...env, UNFOLD_DATA_DIR: directory, UNFOLD_SHUTDOWN_GRACE_S: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onOutput?.();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

async function startRun(url: string, input: Record<string, unknown>): Promise<string> {
  const response = await postJson(`${url}/v1/runs`, { pipeline: 'demo', input });
  expect(response.status).toBe(201);
  return response.body['run_id'] as string;
}

async function eventsOf(url: string, runId: string): Promise<Frame[]> {
  return stored(parseNdjson((await readStream(`${url}/v1/runs/${runId}/events`, 'application/x-ndjson')).text));
}

const isTerminal = (frame: Frame) => (TERMINAL_EVENT_TYPES as readonly string[]).includes(frame.event_type);

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('one data directory, one owner', () => {
  it('stops a second server at start with data_dir_in_use, naming the directory and the owner pid', async () => {
    const directory = await dataDir();
    const owner = await serve(directory);
    const second = await spawnServer({}, { dataDir: directory }).catch((error: unknown) => error as Error);
    expect(second).toBeInstanceOf(Error);
    expect((second as Error).message).toContain('data_dir_in_use');
    expect((second as Error).message).toContain(directory);
    expect((second as Error).message).toContain(`process ${owner.pid}`);
    expect((await getJson(`${owner.url}/readyz`)).status).toBe(200);
  });

  it('sends `unfold run` to the live server owning the directory, which keeps its running runs and lives on', async () => {
    const directory = await dataDir();
    const server = await serve(directory);
    const slow = await startRun(server.url, { pace: 3 });
    const cli = await unfoldRun(['demo', '-'], '{"pace": 0}', directory);
    expect(cli.stderr).toContain(`served by process ${server.pid}`);
    expect(cli.code).toBe(0);
    const cliRun = (JSON.parse(cli.stdout.trim().split('\n')[0] ?? '{}') as Frame)['run_id'] as string;
    expect((await getJson(`${server.url}/v1/runs/${cliRun}`)).body).toMatchObject({ status: 'completed' });
    const events = await eventsOf(server.url, slow);
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_completed' });
    expect(events.filter(isTerminal)).toHaveLength(1);
    expect((await getJson(`${server.url}/readyz`)).status).toBe(200);
  });

  it('keeps an `unfold run` in memory while the owner of the directory is not serving yet', async () => {
    const directory = await dataDir();
    const lock = await lockDataDir(directory, (error) => {
      throw error;
    });
    try {
      const cli = await unfoldRun(['demo', '-'], '{"pace": 0}', directory);
      expect(cli.stderr).toContain(`in use by process ${process.pid}; this run is kept in memory only`);
      expect(cli.code).toBe(0);
      expect(existsSync(join(directory, 'unfold.sqlite'))).toBe(false);
    } finally {
      await lock.release();
    }
  });
});

describe('two `unfold run` at once in one directory', () => {
  it('both complete: the later keeps its run in memory instead of joining a server that ends with the first run', async () => {
    const directory = await dataDir();
    let firstIsRunning!: () => void;
    const running = new Promise<void>((resolve) => (firstIsRunning = resolve));
    const first = unfoldRun(['demo', '-'], '{"pace": 2}', directory, () => firstIsRunning());
    await running;
    const second = await unfoldRun(['demo', '-'], '{"pace": 5}', directory);
    expect(second.stderr).toContain('this run is kept in memory only');
    expect(second.code).toBe(0);
    expect((await first).code).toBe(0);
  });
});

describe('kill -9 mid-run and restart', () => {
  it('keeps every event a client saw, ends each run left open with one run_interrupted, and serves new runs at once', async () => {
    const directory = await dataDir();
    const first = await serve(directory);
    const runs = await Promise.all([0, 1, 2].map(() => startRun(first.url, { pace: 5 })));
    const recorders = runs.map((runId) => openHttpStream(`${first.url}/v1/runs/${runId}/events`, 'ndjson'));
    await until(() => recorders.every((recorder) => stored(recorder.frames).length >= 4), 'each run to be under way');
    expect((await first.stop('SIGKILL')).signal).toBe('SIGKILL');
    await Promise.all(recorders.map((recorder) => recorder.ended));

    // The dead owner's lock does not hold the directory: the restart takes it at once.
    const second = await serve(directory);
    for (const [index, runId] of runs.entries()) {
      const seen = stored(recorders[index]?.frames ?? []);
      expect(seen.some(isTerminal)).toBe(false);
      const after = await eventsOf(second.url, runId);
      expect(after.slice(0, seen.length)).toEqual(seen);
      expect(after.map((event) => event.seq)).toEqual(after.map((_, position) => position + 1));
      expect(after.filter(isTerminal)).toHaveLength(1);
      expect(after.at(-1)).toMatchObject({ event_type: 'processing_failed', code: 'run_interrupted' });
    }
    const fresh = await startRun(second.url, { pace: 0 });
    expect((await eventsOf(second.url, fresh)).at(-1)).toMatchObject({ event_type: 'processing_completed' });
  });
});
