import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { RecordSink } from './record-sink.js';
import { saveIntake, type IntakeStatements, type StoredDeal } from './save-intake.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL, website TEXT, industry TEXT, created_at TEXT NOT NULL);
  CREATE UNIQUE INDEX IF NOT EXISTS accounts_by_website ON accounts (website) WHERE website IS NOT NULL;
  CREATE UNIQUE INDEX IF NOT EXISTS accounts_by_name ON accounts (lower(name));
  CREATE TABLE IF NOT EXISTS contacts (id TEXT PRIMARY KEY, email TEXT UNIQUE, name TEXT, phone TEXT, location TEXT, account_id TEXT REFERENCES accounts (id), created_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS deals (
    id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, name TEXT NOT NULL, stage TEXT NOT NULL, source TEXT NOT NULL,
    referrer TEXT, calendly_url TEXT, contact_id TEXT REFERENCES contacts (id), account_id TEXT REFERENCES accounts (id), created_at TEXT NOT NULL,
    referrer_email TEXT
  );
`;
/** Columns added after a table's first release: a file written before gains them when opened. */
const ADDED_COLUMNS: ReadonlyArray<{ table: string; column: string; type: string }> = [{ table: 'deals', column: 'referrer_email', type: 'TEXT' }];

function addMissingColumns(db: Database.Database): void {
  for (const { table, column, type } of ADDED_COLUMNS) {
    if (!db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get(table, column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
}

/**
 * Intake records in a SQLite file (the embedded default). Saves are serialised and each
 * runs in one IMMEDIATE transaction, so a retried run finds the deal its first try made.
 */
export function createSqliteSink(options: { path: string }): RecordSink {
  mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  addMissingColumns(db);
  const now = () => new Date().toISOString();
  const statements: IntakeStatements = {
    async findDeal(key) {
      return db.prepare<[string], StoredDeal>('SELECT id, contact_id, account_id FROM deals WHERE idempotency_key = ?').get(key);
    },
    async findAccount(website, name) {
      return db.prepare<[string | null, string], { id: string }>('SELECT id FROM accounts WHERE (website IS NOT NULL AND website = ?) OR lower(name) = lower(?) LIMIT 1').get(website, name)?.id;
    },
    async insertAccount(id, record) {
      db.prepare('INSERT INTO accounts (id, name, website, industry, created_at) VALUES (?, ?, ?, ?, ?)').run(id, record.company_name, record.website ?? null, record.industry ?? null, now());
    },
    async findContact(email) {
      return db.prepare<[string], { id: string }>('SELECT id FROM contacts WHERE email = ?').get(email)?.id;
    },
    async updateContact(id, record, accountId) {
      db.prepare('UPDATE contacts SET name = coalesce(name, ?), phone = coalesce(phone, ?), location = coalesce(location, ?), account_id = coalesce(account_id, ?) WHERE id = ?').run(
        record.candidate_name ?? null, record.phone ?? null, record.location ?? null, accountId, id,
      );
    },
    async insertContact(id, record, accountId) {
      db.prepare('INSERT INTO contacts (id, email, name, phone, location, account_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        id, record.email ?? null, record.candidate_name ?? null, record.phone ?? null, record.location ?? null, accountId, now(),
      );
    },
    async insertDeal(deal, record) {
      db.prepare('INSERT INTO deals (id, idempotency_key, name, stage, source, referrer, referrer_email, calendly_url, contact_id, account_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        deal.id, deal.idempotencyKey, deal.name, 'Lead', deal.source, record.referrer_name ?? null, record.referrer_email ?? null, record.calendly_url ?? null, deal.contactId, deal.accountId, now(),
      );
    },
  };
  let queue: Promise<unknown> = Promise.resolve();

  return {
    name: 'sqlite',
    save(record, idempotencyKey) {
      const saved = queue.then(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const records = await saveIntake(statements, record, idempotencyKey);
          db.exec('COMMIT');
          return records;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      });
      queue = saved.catch(() => undefined);
      return saved;
    },
    async close() {
      await queue;
      if (db.open) db.close();
    },
  };
}
