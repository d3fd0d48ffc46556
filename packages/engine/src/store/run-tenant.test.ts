import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runKey } from './run-key.js';
import { createSqliteStore } from './sqlite-store.js';
import { STORES, runRecord, sqlitePath } from './testing/store-fixtures.js';

describe.each(STORES)('%s store: the tenant of a run', (_name, open) => {
  it('keeps the tenant a run was created for', async () => {
    const store = await open();
    await store.runs.create(runRecord(runKey('acme', 'theirs'), { tenant: 'acme' }));
    expect((await store.runs.get(runKey('acme', 'theirs')))?.tenant).toBe('acme');
    expect((await store.runs.list({ tenant: 'acme', limit: 10 })).runs[0]?.tenant).toBe('acme');
    await store.close();
  });

  it('lists a tenant\'s runs only, and holds one run of an id per tenant with its own log', async () => {
    const store = await open();
    for (const tenant of ['acme', 'globex', 'default']) {
      await store.runs.create(runRecord(runKey(tenant, 'invoice-7'), { tenant }));
      await store.events.append(runKey(tenant, 'invoice-7'), { event_type: 'processing_started', pipeline: `of-${tenant}` });
    }
    await store.runs.create(runRecord(runKey('acme', 'invoice-8'), { tenant: 'acme' }));
    const acme = await store.runs.list({ tenant: 'acme', limit: 10 });
    expect(acme.runs.map((run) => run.run_id).sort()).toEqual(['acme/invoice-7', 'acme/invoice-8']);
    expect((await store.runs.list({ tenant: 'globex', limit: 10, status: 'queued' })).runs.map((run) => run.tenant)).toEqual(['globex']);
    expect((await store.runs.list({ tenant: 'nobody', limit: 10 })).runs).toEqual([]);
    // each tenant's invoice-7 has its own log, and its events name it as the tenant does
    const [event] = await store.events.read(runKey('globex', 'invoice-7'), 0, 10);
    expect(event).toMatchObject({ run_id: 'invoice-7', event_id: 'invoice-7:1', seq: 1, pipeline: 'of-globex' });
    expect(await store.events.lastSeq(runKey('acme', 'invoice-7'))).toBe(1);
    await store.close();
  });
});

describe('a SQLite file from before runs had a tenant', () => {
  it('gains the column on open, its runs belonging to the default tenant', async () => {
    const path = await sqlitePath();
    createSqliteStore({ path }).close();
    // Back to the previous schema: the runs table as it was, with one run in it.
    const db = new Database(path);
    db.exec(`
      DROP INDEX runs_of_tenant;
      DROP INDEX runs_of_tenant_by_status;
      DROP INDEX runs_of_tenant_by_pipeline;
      ALTER TABLE runs DROP COLUMN tenant;
      CREATE INDEX runs_by_status ON runs (status, created_at DESC, run_id DESC);
    `);
    db.prepare(`INSERT INTO runs (run_id, pipeline, status, input, metadata, created_at) VALUES ('old', 'demo', 'completed', '{}', '{}', '2026-01-01T00:00:00.000Z')`).run();
    db.close();
    const store = createSqliteStore({ path });
    expect((await store.runs.get('old'))?.tenant).toBe('default');
    expect((await store.runs.list({ tenant: 'default', limit: 10, status: 'completed' })).runs.map((run) => run.run_id)).toEqual(['old']);
    await store.runs.create(runRecord('new', { tenant: 'acme' }));
    expect((await store.runs.get('new'))?.tenant).toBe('acme');
    await store.close();
  });
});
