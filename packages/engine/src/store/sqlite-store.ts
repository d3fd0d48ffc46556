import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { TERMINAL_EVENT_TYPES, UnfoldError, type RunStatus, type UnfoldEvent } from '@unfold/protocol';
import { DEFAULT_TENANT } from './api-key-store.js';
import { AppendListeners } from './append-listeners.js';
import { sqliteApiKeys } from './sqlite-api-keys.js';
import { eventJson } from './event-json.js';
import { buildEvent, decodeCursor, encodeCursor } from './store-rules.js';
import { publicRunId } from './run-key.js';
import type { EventLog, NewEvent, RetentionPolicy, RunPage, RunPatch, RunQuery, RunRecord, RunStore, Store } from './store.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    result TEXT,
    error TEXT,
    trace_context TEXT
  );
  CREATE INDEX IF NOT EXISTS runs_by_created ON runs (created_at DESC, run_id DESC);
  CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
`;

interface RunRow {
  run_id: string;
  tenant: string;
  pipeline: string;
  status: RunStatus;
  input: string;
  metadata: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  result: string | null;
  error: string | null;
  trace_context: string | null;
}

function fromRow(row: RunRow): RunRecord {
  return {
    run_id: row.run_id,
    tenant: row.tenant,
    pipeline: row.pipeline,
    status: row.status,
    input: JSON.parse(row.input) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    ...(row.result === null ? {} : { result: JSON.parse(row.result) as unknown }),
    error: row.error === null ? null : (JSON.parse(row.error) as RunRecord['error']),
    ...(row.trace_context === null ? {} : { trace_context: JSON.parse(row.trace_context) as Record<string, string> }),
  };
}

/** SQLite's answers that mean the file cannot take writes now (and may later): disk full, read-only, I/O. */
const UNWRITABLE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|NOMEM)/;

/**
 * A write that failed because of the file or its disk, as the coded error a client can act
 * on (503 storage_unavailable: retry later); anything else (a constraint, a bug) as it was.
 */
export function storageError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !UNWRITABLE.test(code)) return error;
  return new UnfoldError('storage_unavailable', `the SQLite store cannot write (${code}): ${(error as Error).message}`, { cause: error, transient: true });
}

/** Runs a write, rethrowing storage failures coded. */
function writing<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw storageError(error);
  }
}

/**
 * The embedded default: one SQLite file holding runs and their event logs, surviving
 * restarts. better-sqlite3 is synchronous, so an append (seq assignment and write) is
 * atomic with respect to every other request of this process.
 */
export function createSqliteStore(options: { path: string }): Store {
  mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  // Files written before runs carried a trace context gain the column.
  const columns = new Set((db.prepare('PRAGMA table_info(runs)').all() as Array<{ name: string }>).map((column) => column.name));
  if (!columns.has('trace_context')) db.exec('ALTER TABLE runs ADD COLUMN trace_context TEXT');
  // Runs stored before runs had a tenant were made by the one user there was: the default tenant.
  if (!columns.has('tenant')) db.exec(`ALTER TABLE runs ADD COLUMN tenant TEXT NOT NULL DEFAULT '${DEFAULT_TENANT}'`);
  // Every list is one tenant's (after the column exists, for files from before tenants).
  db.exec(`
    DROP INDEX IF EXISTS runs_by_status;
    DROP INDEX IF EXISTS runs_by_pipeline;
    CREATE INDEX IF NOT EXISTS runs_of_tenant ON runs (tenant, created_at DESC, run_id DESC);
    CREATE INDEX IF NOT EXISTS runs_of_tenant_by_status ON runs (tenant, status, created_at DESC, run_id DESC);
    CREATE INDEX IF NOT EXISTS runs_of_tenant_by_pipeline ON runs (tenant, pipeline, created_at DESC, run_id DESC);
  `);
  db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', ?)`).run(crypto.randomUUID());
  const epoch = (db.prepare(`SELECT value FROM meta WHERE key = 'epoch'`).get() as { value: string }).value;

  const statements = {
    insertEvent: db.prepare<[string, number, string]>('INSERT INTO events (run_id, seq, body) VALUES (?, ?, ?)'),
    readEvents: db.prepare<[string, number, number], { body: string }>('SELECT body FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    lastSeq: db.prepare<[string], { seq: number | null }>('SELECT MAX(seq) AS seq FROM events WHERE run_id = ?'),
    firstSeq: db.prepare<[string], { seq: number | null }>('SELECT MIN(seq) AS seq FROM events WHERE run_id = ?'),
    insertRun: db.prepare(
      'INSERT INTO runs (run_id, tenant, pipeline, status, input, metadata, created_at, started_at, finished_at, result, error, trace_context) VALUES (@run_id, @tenant, @pipeline, @status, @input, @metadata, @created_at, @started_at, @finished_at, @result, @error, @trace_context)',
    ),
    getRun: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE run_id = ?'),
    unfinished: db.prepare<[], RunRow>(`SELECT * FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at`),
    // One primary-key lookup of the last event per finished run, once at startup: 0.18 s
    // for the retention limit's 100,000 runs.
    unterminated: db.prepare<[], RunRow>(
      `SELECT r.* FROM runs r WHERE r.status IN ('completed', 'failed', 'cancelled') AND coalesce((
         SELECT json_extract(e.body, '$.event_type') FROM events e WHERE e.run_id = r.run_id ORDER BY e.seq DESC LIMIT 1
       ), '') NOT IN (${TERMINAL_EVENT_TYPES.map((type) => `'${type}'`).join(', ')}) ORDER BY r.finished_at`,
    ),
    expiredRuns: db.prepare<[string], { run_id: string }>(
      `SELECT run_id FROM runs WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at IS NOT NULL AND finished_at < ?`,
    ),
    runCount: db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM runs'),
    oldestFinished: db.prepare<[number], { run_id: string }>(
      `SELECT run_id FROM runs WHERE status IN ('completed', 'failed', 'cancelled') ORDER BY created_at ASC, run_id ASC LIMIT ?`,
    ),
    deleteRun: db.prepare<[string]>('DELETE FROM runs WHERE run_id = ?'),
    deleteEvents: db.prepare<[string]>('DELETE FROM events WHERE run_id = ?'),
    probe: db.prepare<[string]>(`INSERT INTO meta (key, value) VALUES ('probed_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
  };
  // The last seq per run, so an append needs no read; filled from disk on first use.
  const lastSeqs = new Map<string, number>();
  const listeners = new AppendListeners();
  const lastSeqOf = (runId: string): number => {
    let seq = lastSeqs.get(runId);
    if (seq === undefined) {
      seq = statements.lastSeq.get(runId)?.seq ?? 0;
      lastSeqs.set(runId, seq);
    }
    return seq;
  };

  // Group commit: the appends of one synchronous burst (a tool's callback) are written in
  // one transaction when it yields, then announced. A transaction per event would cap
  // throughput at the cost of a commit; waiting for a later phase of the event loop
  // would make every event wait behind unrelated I/O (measured: p99 80 ms vs 21 ms).
  // Each item names its run by key: the event itself carries the run's id, which is not unique across tenants.
  let batch: Array<{ key: string; event: UnfoldEvent; resolve(event: UnfoldEvent): void; reject(error: unknown): void }> = [];
  const insertBatch = db.transaction((items: typeof batch) => {
    for (const { key, event } of items) statements.insertEvent.run(key, event.seq, eventJson(event));
  });
  const flush = (): void => {
    const pending = batch;
    batch = [];
    if (pending.length === 0) return;
    try {
      insertBatch(pending);
    } catch (caught) {
      const error = storageError(caught);
      // The seqs handed out were not stored: forget them so the next append reads the truth.
      for (const item of pending) lastSeqs.delete(item.key);
      for (const key of new Set(pending.map((item) => item.key))) listeners.fail(key, error);
      for (const item of pending) item.reject(error);
      return;
    }
    const byRun = new Map<string, UnfoldEvent[]>();
    for (const { key, event } of pending) {
      const events = byRun.get(key);
      if (events) events.push(event);
      else byRun.set(key, [event]);
    }
    for (const [runId, events] of byRun) listeners.notifyAll(runId, events);
    for (const item of pending) item.resolve(item.event);
  };

  const log: EventLog = {
    epoch,
    append(runId: string, event: NewEvent) {
      const stored = buildEvent(runId, lastSeqOf(runId) + 1, event);
      lastSeqs.set(runId, stored.seq);
      return new Promise<UnfoldEvent>((resolve, reject) => {
        if (batch.length === 0) queueMicrotask(flush);
        batch.push({ key: runId, event: stored, resolve, reject });
      });
    },
    async read(runId, after, limit) {
      return statements.readEvents.all(runId, after, limit).map((row) => JSON.parse(row.body) as UnfoldEvent);
    },
    async lastSeq(runId) {
      return lastSeqOf(runId);
    },
    async firstSeq(runId) {
      return statements.firstSeq.get(runId)?.seq ?? 0;
    },
    onAppend: (runId, listener, onFailed) => listeners.add(runId, listener, onFailed),
  };

  const runs: RunStore = {
    async create(record) {
      try {
        statements.insertRun.run({
          ...record,
          input: JSON.stringify(record.input),
          metadata: JSON.stringify(record.metadata),
          result: record.result === undefined ? null : JSON.stringify(record.result),
          error: record.error === null ? null : JSON.stringify(record.error),
          trace_context: record.trace_context === undefined ? null : JSON.stringify(record.trace_context),
        });
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new UnfoldError('run_exists', `a run with id "${publicRunId(record.run_id)}" already exists`);
        }
        throw storageError(error);
      }
    },
    async get(runId) {
      const row = statements.getRun.get(runId);
      return row && fromRow(row);
    },
    async list(query: RunQuery): Promise<RunPage> {
      const where: string[] = ['tenant = @tenant'];
      const params: Record<string, unknown> = { limit: query.limit + 1, tenant: query.tenant };
      if (query.status !== undefined) {
        where.push('status = @status');
        params['status'] = query.status;
      }
      if (query.pipeline !== undefined) {
        where.push('pipeline = @pipeline');
        params['pipeline'] = query.pipeline;
      }
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      if (cursor) {
        where.push('(created_at < @cursor_created OR (created_at = @cursor_created AND run_id < @cursor_id))');
        params['cursor_created'] = cursor.created_at;
        params['cursor_id'] = cursor.run_id;
      }
      const sql = `SELECT * FROM runs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, run_id DESC LIMIT @limit`;
      const rows = db.prepare<[Record<string, unknown>], RunRow>(sql).all(params);
      const page = rows.slice(0, query.limit).map(fromRow);
      const last = page.at(-1);
      return { runs: page, next_cursor: rows.length > query.limit && last ? encodeCursor(last) : null };
    },
    async update(runId, patch: RunPatch) {
      const columns = Object.keys(patch) as (keyof RunPatch)[];
      if (columns.length === 0) return;
      const values: Record<string, unknown> = { run_id: runId };
      for (const column of columns) {
        const value = patch[column];
        values[column] = column === 'result' || column === 'error' ? (value === undefined || value === null ? null : JSON.stringify(value)) : value;
      }
      writing(() => db.prepare(`UPDATE runs SET ${columns.map((column) => `${column} = @${column}`).join(', ')} WHERE run_id = @run_id`).run(values));
    },
    async unfinished() {
      return statements.unfinished.all().map(fromRow);
    },
    async unterminated() {
      return statements.unterminated.all().map(fromRow);
    },
  };

  const deleteRuns = db.transaction((runIds: string[]) => {
    for (const runId of runIds) {
      statements.deleteEvents.run(runId);
      statements.deleteRun.run(runId);
      lastSeqs.delete(runId);
    }
  });

  return {
    kind: 'sqlite',
    events: log,
    runs,
    keys: sqliteApiKeys(db),
    // The same rule as retentionVictims, in SQL: no run rows are loaded into memory.
    async applyRetention(policy: RetentionPolicy, now = new Date()) {
      const expired = statements.expiredRuns.all(new Date(now.getTime() - policy.maxAgeMs).toISOString()).map((row) => row.run_id);
      writing(() => deleteRuns(expired));
      const excess = (statements.runCount.get()?.count ?? 0) - policy.maxRuns;
      const oldest = excess > 0 ? statements.oldestFinished.all(excess).map((row) => row.run_id) : [];
      writing(() => deleteRuns(oldest));
      return [...expired, ...oldest];
    },
    // A write, not a read: a full or read-only disk still answers reads, and ready means
    // new runs can be stored.
    async ping() {
      writing(() => statements.probe.run(new Date().toISOString()));
    },
    async close() {
      flush();
      if (db.open) db.close();
    },
  };
}
