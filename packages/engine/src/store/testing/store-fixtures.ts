import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createMemoryStore } from '../memory-store.js';
import { createSqliteStore } from '../sqlite-store.js';
import type { RunRecord, Store } from '../store.js';

/** Both store implementations, for suites that every store must pass. Test-only. */
const directories: string[] = [];
afterEach(async () => {
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

export async function sqlitePath(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'unfold-store-'));
  directories.push(directory);
  return join(directory, 'nested', 'unfold.sqlite');
}

export const STORES: Array<[string, () => Promise<Store>]> = [
  ['memory', async () => createMemoryStore()],
  ['sqlite', async () => createSqliteStore({ path: await sqlitePath() })],
];

export function runRecord(runId: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    run_id: runId,
    tenant: 'default',
    pipeline: 'demo',
    status: 'queued',
    input: { a: 1 },
    metadata: {},
    created_at: new Date().toISOString(),
    started_at: null,
    finished_at: null,
    error: null,
    ...overrides,
  };
}

export const token = (index: number) => ({ event_type: 'extraction_token' as const, pipeline: 'demo', delta: `t${index}`, index });

