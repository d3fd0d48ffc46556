import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { generateApiKey, hashApiKey, parseNewApiKey, type ActiveApiKey, type ApiKeyRecord, type ApiKeyStore } from './api-key-store.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    label TEXT,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
  );
`;

const RECORD_COLUMNS = 'key_id, tenant, label, created_at, last_used_at, revoked_at';

/**
 * The keys table of a run store's SQLite file, on the connection given. The server's store
 * and `unfold keys` (its own connection, while the server runs) both use it.
 */
export function sqliteApiKeys(db: Database.Database): ApiKeyStore {
  db.exec(SCHEMA);
  const statements = {
    insert: db.prepare('INSERT INTO api_keys (key_id, tenant, label, key_hash, created_at) VALUES (@key_id, @tenant, @label, @key_hash, @created_at)'),
    list: db.prepare<[], ApiKeyRecord>(`SELECT ${RECORD_COLUMNS} FROM api_keys ORDER BY created_at, key_id`),
    active: db.prepare<[], ActiveApiKey>(`SELECT ${RECORD_COLUMNS}, key_hash FROM api_keys WHERE revoked_at IS NULL`),
    get: db.prepare<[string], ApiKeyRecord>(`SELECT ${RECORD_COLUMNS} FROM api_keys WHERE key_id = ?`),
    revoke: db.prepare<[string, string]>('UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL'),
    touch: db.prepare<[string, string]>('UPDATE api_keys SET last_used_at = ? WHERE key_id = ?'),
  };
  // `PRAGMA data_version` changes when another connection commits to the file; it does not
  // for this connection's own commits, which `writes` counts instead.
  let writes = 0;
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  return {
    async create(request) {
      const { tenant, label } = parseNewApiKey(request);
      const { key, key_id } = generateApiKey();
      const record: ApiKeyRecord = { key_id, tenant, label, created_at: new Date().toISOString(), last_used_at: null, revoked_at: null };
      statements.insert.run({ key_id, tenant, label, key_hash: hashApiKey(key), created_at: record.created_at });
      // Stryker disable next-line UpdateOperator: equivalent, the mark only has to change; counting down changes it as counting up does
      writes++;
      return { key, record };
    },
    async list() {
      return statements.list.all();
    },
    async active() {
      return statements.active.all();
    },
    async revoke(keyId, now = new Date()) {
      // Stryker disable next-line UpdateOperator: equivalent, the mark only has to change; counting down changes it as counting up does
      if (statements.revoke.run(now.toISOString(), keyId).changes > 0) writes++;
      return statements.get.get(keyId);
    },
    async touch(keyId, now = new Date()) {
      statements.touch.run(now.toISOString(), keyId);
    },
    changeMark: () => `${writes}:${dataVersion.get() ?? 0}`,
  };
}

/**
 * The keys table alone, on a connection of its own: what `unfold keys` opens, whether or not
 * a server holds the data directory. It touches no run and takes no data-directory lock;
 * SQLite's WAL locking serialises its one-row writes with the server's, and the server's
 * connection waits (better-sqlite3's 5 s busy timeout) rather than fails if both write at once.
 */
export function openSqliteApiKeys(path: string): ApiKeyStore & { close(): void } {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  return Object.assign(sqliteApiKeys(db), { close: () => db.close() });
}
