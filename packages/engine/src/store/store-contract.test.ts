import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UnfoldError, type RunStatus, type UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from './api-key-store.js';
import { createSqliteStore, storageError } from './sqlite-store.js';
import { STORES, runRecord, sqlitePath, token } from './testing/store-fixtures.js';

describe.each(STORES)('%s store', (name, open) => {
  it('assigns gapless seq per run and builds the envelope', async () => {
    const store = await open();
    for (let index = 0; index < 3; index++) {
      await store.events.append('a', token(index));
      await store.events.append('b', token(index));
    }
    const events = await store.events.read('a', 0, 10);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(events[1]).toMatchObject({ event_id: 'a:2', run_id: 'a', pipeline: 'demo', metadata: {}, delta: 't1' });
    expect(events[0]?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await store.events.read('a', 1, 1)).toHaveLength(1);
    expect((await store.events.read('a', 1, 1))[0]?.seq).toBe(2);
    expect(await store.events.lastSeq('a')).toBe(3);
    expect(await store.events.firstSeq('a')).toBe(1);
    expect(await store.events.lastSeq('none')).toBe(0);
    await store.close();
  });

  it('calls append listeners synchronously, in order, and survives a throwing one', async () => {
    const store = await open();
    const seen: number[] = [];
    const stopThrowing = store.events.onAppend('a', () => {
      throw new Error('bad subscriber');
    });
    const stop = store.events.onAppend('a', (event) => seen.push(event.seq));
    const appended = store.events.append('a', token(0));
    await appended;
    await store.events.append('a', token(1));
    stop();
    stopThrowing();
    // Stopping again, once the run has no listener left, is harmless.
    expect(() => stop()).not.toThrow();
    await store.events.append('a', token(2));
    expect(seen).toEqual([1, 2]);
    await store.close();
  });

  it('refuses a taken run id with run_exists and patches runs', async () => {
    const store = await open();
    await store.runs.create(runRecord('r'));
    const error = await store.runs.create(runRecord('r')).catch((caught: unknown) => caught);
    expect(UnfoldError.isInstance(error) && error.code).toBe('run_exists');
    expect((error as Error).message).toBe('a run with id "r" already exists');
    await store.runs.update('r', { status: 'completed', result: { total: 3 }, error: null, finished_at: '2026-01-01T00:00:00.000Z' });
    expect(await store.runs.get('r')).toMatchObject({ status: 'completed', result: { total: 3 }, input: { a: 1 } });
    expect(await store.runs.get('missing')).toBeUndefined();
    await store.close();
  });

  it('lists newest first with filters and stable cursor pages', async () => {
    const store = await open();
    const statuses: RunStatus[] = ['queued', 'completed', 'failed'];
    for (let index = 0; index < 25; index++) {
      await store.runs.create(
        runRecord(`r${String(index).padStart(2, '0')}`, {
          created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(index / 2))).toISOString(),
          status: statuses[index % 3] as RunStatus,
          pipeline: index % 2 ? 'email' : 'receipt',
        }),
      );
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.runs.list({ tenant: DEFAULT_TENANT, limit: 7, cursor });
      seen.push(...page.runs.map((run) => run.run_id));
      sizes.push(page.runs.length);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(sizes).toEqual([7, 7, 7, 4]);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen[0]).toBe('r24');
    expect(seen.at(-1)).toBe('r00');
    const failedEmail = await store.runs.list({ tenant: DEFAULT_TENANT, limit: 50, status: 'failed', pipeline: 'email' });
    expect(failedEmail.runs.every((run) => run.status === 'failed' && run.pipeline === 'email')).toBe(true);
    expect(failedEmail.runs.length).toBe(4);
    expect((await store.runs.unfinished()).every((run) => run.status === 'queued')).toBe(true);
    await store.close();
  });

  it('hands out copies: changing a record it returned or a patch it took does not change the store', async () => {
    const store = await open();
    await store.runs.create(runRecord('r', { metadata: { tag: 'kept' } }));
    const patch = { result: { total: 3 } };
    await store.runs.update('r', patch);
    patch.result.total = 99;
    const got = await store.runs.get('r');
    (got?.metadata as Record<string, unknown>)['tag'] = 'changed';
    const [listed] = (await store.runs.list({ tenant: DEFAULT_TENANT, limit: 1 })).runs;
    (listed?.input as Record<string, unknown>)['a'] = 2;
    const [unfinished] = await store.runs.unfinished();
    if (unfinished) unfinished.status = 'failed';
    expect(await store.runs.get('r')).toMatchObject({ status: 'queued', metadata: { tag: 'kept' }, input: { a: 1 }, result: { total: 3 } });
    await store.runs.update('missing', { status: 'completed' });
    expect(await store.runs.get('missing')).toBeUndefined();
    await store.close();
  });

  it('lists by created_at with the run id breaking ties, ends with no cursor on an exact last page, and lists the unfinished', async () => {
    const store = await open();
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
    // Ids in the opposite order to the times, and two pairs created in the same millisecond.
    await store.runs.create(runRecord('d', { created_at: at(1), status: 'running' }));
    await store.runs.create(runRecord('c', { created_at: at(2), status: 'completed', finished_at: at(3) }));
    await store.runs.create(runRecord('a', { created_at: at(3) }));
    await store.runs.create(runRecord('b', { created_at: at(3), status: 'failed', finished_at: at(4) }));
    await store.runs.create(runRecord('x', { created_at: at(0) }));
    await store.runs.create(runRecord('y', { created_at: at(0), status: 'cancelled', finished_at: at(4) }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.runs.list({ tenant: DEFAULT_TENANT, limit: 1, cursor });
      seen.push(...page.runs.map((run) => run.run_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual(['b', 'a', 'c', 'd', 'y', 'x']);
    const whole = await store.runs.list({ tenant: DEFAULT_TENANT, limit: 6 });
    expect(whole.runs).toHaveLength(6);
    expect(whole.next_cursor).toBeNull();
    expect((await store.runs.list({ tenant: DEFAULT_TENANT, limit: 10, status: 'queued' })).runs.map((run) => run.run_id)).toEqual(['a', 'x']);
    expect((await store.runs.unfinished()).map((run) => run.run_id).sort()).toEqual(['a', 'd', 'x']);
    await store.close();
  });

  it('finds finished runs whose log lacks its terminal event', async () => {
    const store = await open();
    const finished = (runId: string) => runRecord(runId, { status: 'completed', finished_at: new Date().toISOString() });
    for (const runId of ['whole', 'cut-short', 'empty']) await store.runs.create(finished(runId));
    await store.runs.create(runRecord('still-running', { status: 'running' }));
    expect(store.kind).toBe(name);
    await store.events.append('whole', { event_type: 'processing_started', pipeline: 'demo' });
    await store.events.append('whole', { event_type: 'tool_started', pipeline: 'demo', tool_name: 't', status: 'started', attempt: 1 });
    await store.events.append('whole', { event_type: 'processing_completed', pipeline: 'demo', duration_ms: 1, result: null });
    await store.events.append('cut-short', { event_type: 'processing_started', pipeline: 'demo' });
    await store.events.append('still-running', { event_type: 'processing_started', pipeline: 'demo' });
    expect((await store.runs.unterminated()).map((run) => run.run_id).sort()).toEqual(['cut-short', 'empty']);
    await store.close();
  });

  it('applies retention by age and by count, deleting events, never unfinished runs', async () => {
    const store = await open();
    const now = new Date('2026-06-01T00:00:00.000Z');
    const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
    await store.runs.create(runRecord('old', { status: 'completed', created_at: hoursAgo(50), finished_at: hoursAgo(49) }));
    await store.runs.create(runRecord('old-running', { status: 'running', created_at: hoursAgo(50) }));
    for (let index = 0; index < 4; index++) {
      await store.runs.create(runRecord(`recent${index}`, { status: 'completed', created_at: hoursAgo(10 - index), finished_at: hoursAgo(9 - index) }));
    }
    await store.events.append('old', token(0));
    const deleted = await store.applyRetention({ maxAgeMs: 24 * 3_600_000, maxRuns: 3 }, now);
    expect(deleted.sort()).toEqual(['old', 'recent0', 'recent1']);
    expect(await store.events.read('old', 0, 10)).toEqual([]);
    expect(await store.events.lastSeq('old')).toBe(0);
    expect(await store.runs.get('old-running')).toBeDefined();
    expect(await store.runs.get('recent0')).toBeUndefined();
    expect(await store.runs.get('recent2')).toBeDefined();
    // Within both limits: nothing goes.
    expect(await store.applyRetention({ maxAgeMs: 24 * 3_600_000, maxRuns: 100 }, now)).toEqual([]);
    expect(await store.applyRetention({ maxAgeMs: 24 * 3_600_000, maxRuns: 3 }, now)).toEqual([]);
    expect((await store.runs.list({ tenant: DEFAULT_TENANT, limit: 10 })).runs).toHaveLength(3);
    await store.close();
  });
});

describe('sqlite store on disk', () => {
  it('survives a restart with the same epoch, runs and events, and continues seq', async () => {
    const path = await sqlitePath();
    const first = createSqliteStore({ path });
    await first.runs.create(runRecord('r'));
    await first.events.append('r', token(0));
    await first.events.append('r', token(1));
    const before: UnfoldEvent[] = await first.events.read('r', 0, 10);
    await first.close();

    const second = createSqliteStore({ path });
    expect(second.events.epoch).toBe(first.events.epoch);
    expect(await second.events.read('r', 0, 10)).toEqual(before);
    expect((await second.events.append('r', token(2))).seq).toBe(3);
    expect(await second.runs.get('r')).toMatchObject({ run_id: 'r', input: { a: 1 } });
    await second.close();
  });

  it('gets a new epoch when its file is new', async () => {
    const a = createSqliteStore({ path: await sqlitePath() });
    const b = createSqliteStore({ path: await sqlitePath() });
    expect(a.events.epoch).not.toBe(b.events.epoch);
    await a.close();
    await b.close();
  });

  it('refuses an append the file will not take: the append rejects, the run\'s listeners hear of it, the next append reads the true last seq', async () => {
    const path = await sqlitePath();
    const store = createSqliteStore({ path });
    const other = createSqliteStore({ path });
    await store.events.append('r', token(0));
    // The other handle writes seq 2 behind this one's back: this one's seq 2 collides.
    expect(await other.events.lastSeq('r')).toBe(1);
    await other.events.append('r', token(1));
    const failures: unknown[] = [];
    const seen: number[] = [];
    store.events.onAppend('r', (event) => seen.push(event.seq), (error) => failures.push(error));
    const refused = await store.events.append('r', token(2)).catch((caught: unknown) => caught);
    expect((refused as { code?: string }).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect(failures).toEqual([refused]);
    expect(seen).toEqual([]);
    expect((await store.events.append('r', token(3))).seq).toBe(3);
    expect(seen).toEqual([3]);
    expect((await store.events.read('r', 0, 10)).map((event) => event.seq)).toEqual([1, 2, 3]);
    await other.close();
    await store.close();
  });

  it('codes the failures of the file or its disk storage_unavailable (transient), and leaves any other error as it was', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_NOMEM']) {
      const cause = Object.assign(new Error('disk I/O error'), { code });
      const coded = storageError(cause);
      expect(UnfoldError.isInstance(coded) && { code: coded.code, transient: coded.transient, cause: coded.cause }).toEqual({ code: 'storage_unavailable', transient: true, cause });
      expect((coded as Error).message).toContain(code);
    }
    for (const code of ['SQLITE_CONSTRAINT_PRIMARYKEY', 'XSQLITE_FULL', 42, undefined]) {
      const error = Object.assign(new Error('not the disk'), { code });
      expect(storageError(error)).toBe(error);
    }
  });

  it('says it is SQLite, passes on a write refused for another reason than a taken id, and neither reads nor answers ready once closed', async () => {
    const store = createSqliteStore({ path: await sqlitePath() });
    expect(store.kind).toBe('sqlite');
    await store.ping();
    const refused = await store.runs.create(runRecord('x', { pipeline: null as unknown as string })).catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ code: 'SQLITE_CONSTRAINT_NOTNULL' });
    await store.close();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
    await expect(store.runs.get('x')).rejects.toThrow();
  });

  it('adds the trace context column to a file written before runs carried one', async () => {
    const path = await sqlitePath();
    await mkdir(dirname(path), { recursive: true });
    const old = new Database(path);
    old.exec(`CREATE TABLE runs (run_id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, status TEXT NOT NULL, input TEXT NOT NULL, metadata TEXT NOT NULL,
      created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, result TEXT, error TEXT)`);
    old.close();
    const store = createSqliteStore({ path });
    await store.runs.create(runRecord('r', { trace_context: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } }));
    expect((await store.runs.get('r'))?.trace_context).toEqual({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    await store.close();
    // Opened again, the column is there and is not added twice.
    const again = createSqliteStore({ path });
    expect((await again.runs.get('r'))?.trace_context).toBeDefined();
    await again.close();
  });
});
