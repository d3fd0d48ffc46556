import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqliteStore } from './sqlite-store.js';
import { STORES, runRecord, sqlitePath } from './testing/store-fixtures.js';

describe.each(STORES)('%s store: the tenant of a run', (_name, open) => {
  it('keeps the tenant a run was created for', async () => {
    const store = await open();
    await store.runs.create(runRecord('theirs', { tenant: 'acme' }));
    expect((await store.runs.get('theirs'))?.tenant).toBe('acme');
    expect((await store.runs.list({ limit: 10 })).runs[0]?.tenant).toBe('acme');
    await store.close();
  });
});

describe('a SQLite file from before runs had a tenant', () => {
  it('gains the column on open, its runs belonging to the default tenant', async () => {
    const path = await sqlitePath();
    createSqliteStore({ path }).close();
    // Back to the previous schema: the runs table as it was, with one run in it.
    const db = new Database(path);
    db.exec(`ALTER TABLE runs DROP COLUMN tenant`);
    db.prepare(`INSERT INTO runs (run_id, pipeline, status, input, metadata, created_at) VALUES ('old', 'demo', 'completed', '{}', '{}', '2026-01-01T00:00:00.000Z')`).run();
    db.close();
    const store = createSqliteStore({ path });
    expect((await store.runs.get('old'))?.tenant).toBe('default');
    await store.runs.create(runRecord('new', { tenant: 'acme' }));
    expect((await store.runs.get('new'))?.tenant).toBe('acme');
    await store.close();
  });
});
