import { UnfoldError } from '@unfold/protocol';
import pg from 'pg';
import type { CreatedRecord, IntakeRecord, RecordSink } from './record-sink.js';
import { saveIntake, type IntakeStatements, type StoredDeal } from './save-intake.js';

// One multi-statement query runs as one transaction: the advisory lock serialises servers
// that start together, whose concurrent CREATE … IF NOT EXISTS would otherwise collide on
// PostgreSQL's catalogue (a unique violation, not a no-op).
const schemaSql = (schema: string) => `
  SELECT pg_advisory_xact_lock(hashtext('unfold schema ${schema}'));
  CREATE SCHEMA IF NOT EXISTS ${schema};
  CREATE TABLE IF NOT EXISTS ${schema}.accounts (id UUID PRIMARY KEY, name TEXT NOT NULL, website TEXT, industry TEXT, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
  CREATE UNIQUE INDEX IF NOT EXISTS accounts_by_website ON ${schema}.accounts (website) WHERE website IS NOT NULL;
  CREATE UNIQUE INDEX IF NOT EXISTS accounts_by_name ON ${schema}.accounts (lower(name));
  CREATE TABLE IF NOT EXISTS ${schema}.contacts (id UUID PRIMARY KEY, email TEXT UNIQUE, name TEXT, phone TEXT, location TEXT, account_id UUID REFERENCES ${schema}.accounts (id), created_at TIMESTAMPTZ NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS ${schema}.deals (
    id UUID PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, name TEXT NOT NULL, stage TEXT NOT NULL, source TEXT NOT NULL,
    referrer TEXT, calendly_url TEXT, contact_id UUID REFERENCES ${schema}.contacts (id), account_id UUID REFERENCES ${schema}.accounts (id), created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    referrer_email TEXT
  );
  -- Added after the table's first release: a schema made before gains it. Checked first, since
  -- ALTER TABLE locks the table even when the column exists, and would deadlock with another
  -- server's saves.
  DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '${schema}.deals'::regclass AND attname = 'referrer_email' AND NOT attisdropped) THEN
      ALTER TABLE ${schema}.deals ADD COLUMN referrer_email TEXT;
    END IF;
  END $$;
`;

/** PostgreSQL errors that a retry can fix: connection trouble, serialization, deadlock. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return /^(08|40|57P)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(code);
}

function statementsFor(client: pg.PoolClient, schema: string): IntakeStatements {
  const first = async <Row extends pg.QueryResultRow>(sql: string, values: unknown[]) => (await client.query<Row>(sql, values)).rows[0];
  return {
    findDeal: (key) => first<StoredDeal>(`SELECT id, contact_id, account_id FROM ${schema}.deals WHERE idempotency_key = $1`, [key]),
    findAccount: async (website, name) => (await first<{ id: string }>(`SELECT id FROM ${schema}.accounts WHERE (website IS NOT NULL AND website = $1) OR lower(name) = lower($2) LIMIT 1`, [website, name]))?.id,
    async insertAccount(id, record) {
      await client.query(`INSERT INTO ${schema}.accounts (id, name, website, industry) VALUES ($1, $2, $3, $4)`, [id, record.company_name, record.website ?? null, record.industry ?? null]);
    },
    findContact: async (email) => (await first<{ id: string }>(`SELECT id FROM ${schema}.contacts WHERE email = $1`, [email]))?.id,
    async updateContact(id, record, accountId) {
      await client.query(`UPDATE ${schema}.contacts SET name = coalesce(name, $1), phone = coalesce(phone, $2), location = coalesce(location, $3), account_id = coalesce(account_id, $4) WHERE id = $5`, [
        record.candidate_name ?? null, record.phone ?? null, record.location ?? null, accountId, id,
      ]);
    },
    async insertContact(id, record, accountId) {
      await client.query(`INSERT INTO ${schema}.contacts (id, email, name, phone, location, account_id) VALUES ($1, $2, $3, $4, $5, $6)`, [
        id, record.email ?? null, record.candidate_name ?? null, record.phone ?? null, record.location ?? null, accountId,
      ]);
    },
    async insertDeal(deal, record) {
      await client.query(`INSERT INTO ${schema}.deals (id, idempotency_key, name, stage, source, referrer, referrer_email, calendly_url, contact_id, account_id) VALUES ($1, $2, $3, 'Lead', $4, $5, $6, $7, $8, $9)`, [
        deal.id, deal.idempotencyKey, deal.name, deal.source, record.referrer_name ?? null, record.referrer_email ?? null, record.calendly_url ?? null, deal.contactId, deal.accountId,
      ]);
    },
  };
}

/**
 * Intake records in PostgreSQL. One transaction per save; the deal's unique
 * idempotency key and an advisory lock on it make concurrent retries of one run create
 * one deal.
 */
export function createPostgresSink(options: { connectionString: string; schema?: string }): RecordSink {
  const schema = options.schema ?? 'unfold';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new UnfoldError('validation_failed', `PostgreSQL schema name "${schema}" is not a plain identifier`);
  // A PostgreSQL that accepts connections but never answers fails the save instead of
  // holding one of the pool's few slots for ever.
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 4, connectionTimeoutMillis: 5_000 });
  // An idle connection that PostgreSQL ends (restart, failover, pg_terminate_backend) is
  // reported here; unheard, the event would end the process. The pool has already dropped
  // the connection and opens a new one for the next save.
  pool.on('error', () => undefined);
  let ready: Promise<unknown> | undefined;
  const ensureSchema = () => (ready ??= pool.query(schemaSql(schema)).catch((error: unknown) => {
    ready = undefined;
    throw error;
  }));

  return {
    name: 'postgres',
    async save(record: IntakeRecord, idempotencyKey: string): Promise<CreatedRecord[]> {
      const client = await ensureSchema()
        .then(() => pool.connect())
        .catch((error: unknown) => {
          throw new UnfoldError('tool_failed', `PostgreSQL is not reachable: ${(error as Error).message}`, { transient: isTransient(error), cause: error });
        });
      // A checked-out connection that dies reports it on the client too, where the pool no
      // longer listens; the statement in flight fails on its own, so the event only needs a
      // listener to keep it from ending the process.
      const ignoreConnectionError = (): void => undefined;
      client.on('error', ignoreConnectionError);
      let failure: Error | undefined;
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [idempotencyKey]);
        const records = await saveIntake(statementsFor(client, schema), record, idempotencyKey);
        await client.query('COMMIT');
        return records;
      } catch (error) {
        failure = error as Error;
        await client.query('ROLLBACK').catch(() => undefined);
        throw new UnfoldError('tool_failed', `PostgreSQL refused the records: ${failure.message}`, { transient: isTransient(error), cause: error });
      } finally {
        client.off('error', ignoreConnectionError);
        // After a failure the connection may be half-dead: the pool discards it rather than lend it again.
        client.release(failure);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
