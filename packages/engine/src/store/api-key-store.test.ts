import { UnfoldError } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, hashApiKey } from './api-key-store.js';
import { openSqliteApiKeys } from './sqlite-api-keys.js';
import { createSqliteStore } from './sqlite-store.js';
import { STORES, sqlitePath } from './testing/store-fixtures.js';

describe.each(STORES)('%s store: API keys', (_name, open) => {
  it('creates a key once, stores only its digest, and lists it without the key', async () => {
    const store = await open();
    const { key, record } = await store.keys.create({ tenant: 'acme', label: 'ci' });
    expect(key).toMatch(new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{43}$`));
    expect(record).toMatchObject({ tenant: 'acme', label: 'ci', last_used_at: null, revoked_at: null, key_id: expect.stringMatching(/^key_[0-9a-f]{12}$/) });
    const listed = await store.keys.list();
    expect(listed).toEqual([record]);
    expect(JSON.stringify(listed)).not.toContain(key.slice(API_KEY_PREFIX.length));
    expect(await store.keys.active()).toEqual([{ ...record, key_hash: hashApiKey(key) }]);
    const second = await store.keys.create({ tenant: 'acme' });
    expect(second.key).not.toBe(key);
    expect(second.record.label).toBeNull();
    await store.close();
  });

  it('revokes a key once (its first time stays), forgets no record, and answers undefined for an unknown id', async () => {
    const store = await open();
    const { record } = await store.keys.create({ tenant: 'acme' });
    const mark = store.keys.changeMark();
    const revoked = await store.keys.revoke(record.key_id, new Date('2026-01-01T00:00:00Z'));
    expect(revoked?.revoked_at).toBe('2026-01-01T00:00:00.000Z');
    expect(store.keys.changeMark()).not.toBe(mark);
    const afterRevoke = store.keys.changeMark();
    expect((await store.keys.revoke(record.key_id, new Date('2026-02-01T00:00:00Z')))?.revoked_at).toBe('2026-01-01T00:00:00.000Z');
    // Revoking what is revoked changes no key: the gateway need not read them again.
    expect(store.keys.changeMark()).toBe(afterRevoke);
    expect(await store.keys.active()).toEqual([]);
    expect(await store.keys.list()).toHaveLength(1);
    expect(await store.keys.revoke('key_000000000000')).toBeUndefined();
    await store.close();
  });

  it('records the last use without counting it as a change of keys', async () => {
    const store = await open();
    const { record } = await store.keys.create({ tenant: 'acme' });
    const mark = store.keys.changeMark();
    await store.keys.touch(record.key_id, new Date('2026-03-01T00:00:00Z'));
    expect((await store.keys.list())[0]?.last_used_at).toBe('2026-03-01T00:00:00.000Z');
    expect(store.keys.changeMark()).toBe(mark);
    await store.close();
  });

  it('refuses a tenant or label that would not be safe in a log line, coded', async () => {
    const store = await open();
    for (const request of [{ tenant: '' }, { tenant: 'a b' }, { tenant: '-x' }, { tenant: 'x'.repeat(65) }, { tenant: 'ok', label: 'two\nlines' }, { tenant: 'ok', label: 'x'.repeat(201) }]) {
      const error = await store.keys.create(request).catch((caught: unknown) => caught);
      expect(UnfoldError.isInstance(error) && error.code).toBe('validation_failed');
    }
    expect(await store.keys.list()).toEqual([]);
    await store.close();
  });
});

describe('SQLite keys shared with another process', () => {
  it('sees keys created and revoked on another connection, and its change mark moves', async () => {
    const path = await sqlitePath();
    const server = createSqliteStore({ path });
    const cli = openSqliteApiKeys(path);
    const mark = server.keys.changeMark();
    const { key, record } = await cli.create({ tenant: 'acme' });
    expect(server.keys.changeMark()).not.toBe(mark);
    expect((await server.keys.active()).map((active) => active.key_hash)).toEqual([hashApiKey(key)]);
    const afterCreate = server.keys.changeMark();
    await cli.revoke(record.key_id);
    expect(server.keys.changeMark()).not.toBe(afterCreate);
    expect(await server.keys.active()).toEqual([]);
    cli.close();
    await server.close();
  });

  it('creates the keys table in a data directory no server has opened yet', async () => {
    const path = await sqlitePath();
    const cli = openSqliteApiKeys(path);
    const { record } = await cli.create({ tenant: 'first' });
    cli.close();
    const server = createSqliteStore({ path });
    expect(await server.keys.list()).toEqual([record]);
    await server.close();
  });

  it('closes its own connection', async () => {
    const cli = openSqliteApiKeys(await sqlitePath());
    cli.close();
    await expect(cli.create({ tenant: 'late' })).rejects.toThrow(/database connection is not open/);
  });
});
