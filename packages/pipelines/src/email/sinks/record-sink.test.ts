import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresSink } from './postgres-sink.js';
import { dealName, leadSource, type RecordSink } from './record-sink.js';
import { createSqliteSink } from './sqlite-sink.js';

/** The PostgreSQL the machine runs (CI starts it when it is down); each run gets its own schema. */
const POSTGRES_URL = process.env['UNFOLD_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `unfold_test_${process.pid}_${Date.now()}`;
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

type StoredReferrer = { referrer: string | null; referrer_email: string | null };
/** A sink, and the referrer its deal under an idempotency key was stored with, read back from its own database. */
type Opened = { sink: RecordSink; referrerOf: (key: string) => Promise<StoredReferrer | undefined> };

/** The deals table as the stores first shipped it, before `referrer_email`. */
const FIRST_DEALS = (table: string, id: string, createdAt: string) =>
  `CREATE TABLE ${table} (id ${id} PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, name TEXT NOT NULL, stage TEXT NOT NULL, source TEXT NOT NULL, referrer TEXT, calendly_url TEXT, contact_id ${id}, account_id ${id}, created_at ${createdAt})`;

async function openSqlite(options: { firstRelease?: boolean } = {}): Promise<Opened> {
  const directory = await mkdtemp(join(tmpdir(), 'unfold-sink-'));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  const path = join(directory, 'records.sqlite');
  if (options.firstRelease) {
    const db = new Database(path);
    db.exec(FIRST_DEALS('deals', 'TEXT', 'TEXT NOT NULL'));
    db.close();
  }
  return {
    sink: createSqliteSink({ path }),
    async referrerOf(key) {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare<[string], StoredReferrer>('SELECT referrer, referrer_email FROM deals WHERE idempotency_key = ?').get(key);
      } finally {
        db.close();
      }
    },
  };
}

async function openPostgres(options: { firstRelease?: boolean } = {}): Promise<Opened> {
  const own = `${schema}_${options.firstRelease ? 'first' : 'new'}`;
  const query = async <Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      return (await client.query<Row>(sql, values)).rows;
    } finally {
      await client.end();
    }
  };
  cleanups.push(async () => void (await query(`DROP SCHEMA IF EXISTS ${own} CASCADE`)));
  if (options.firstRelease) await query(`CREATE SCHEMA ${own}; ${FIRST_DEALS(`${own}.deals`, 'UUID', 'TIMESTAMPTZ NOT NULL DEFAULT now()')}`);
  return {
    sink: createPostgresSink({ connectionString: POSTGRES_URL, schema: own }),
    referrerOf: async (key) => (await query<StoredReferrer>(`SELECT referrer, referrer_email FROM ${own}.deals WHERE idempotency_key = $1`, [key]))[0],
  };
}

const SINKS: Array<[string, typeof openSqlite]> = [
  ['sqlite', openSqlite],
  ['postgres', openPostgres],
];

const dana = {
  candidate_name: 'Dana Whitfield',
  job_title: 'Lead Data Engineer',
  location: 'Houston, TX',
  company_name: 'Northwind Energy Inc.',
  website: 'www.northwind-energy.com',
  phone: '+17135550142',
  email: 'dana@northwind-energy.com',
  referrer_name: 'Maria Lopez',
};

describe.each(SINKS)('%s record sink', (_name, open) => {
  it('creates an account, a contact and a deal, and a retry under the same key creates nothing more', async () => {
    const { sink } = await open();
    const first = await sink.save(dana, `run-a-${_name}`);
    expect(first.map((record) => `${record.record_type}:${record.created}`)).toEqual(['account:true', 'contact:true', 'deal:true']);
    const retried = await sink.save(dana, `run-a-${_name}`);
    expect(retried).toEqual(first.map((record) => ({ ...record, created: false })));
    await sink.close();
  });

  it('reuses the account by name and the contact by e-mail for a second deal, and keeps concurrent retries to one deal', async () => {
    const { sink } = await open();
    await sink.save(dana, `run-b-${_name}`);
    const second = await sink.save({ ...dana, company_name: 'NORTHWIND ENERGY INC.', website: undefined, job_title: 'Staff Engineer' }, `run-c-${_name}`);
    expect(second.map((record) => `${record.record_type}:${record.created}`)).toEqual(['account:false', 'contact:false', 'deal:true']);
    const racing = await Promise.all([1, 2, 3].map(() => sink.save(dana, `run-d-${_name}`)));
    expect(new Set(racing.map((records) => records.at(-1)?.record_id)).size).toBe(1);
    expect(racing.filter((records) => records.at(-1)?.created)).toHaveLength(1);
    await sink.close();
  });
});

describe.each(SINKS)('%s record sink, the referrer', (name, open) => {
  const referred = { ...dana, referrer_email: 'maria.lopez@example.org' };

  it("stores a referral's referrer, by name and e-mail, on its deal", async () => {
    const { sink, referrerOf } = await open();
    await sink.save(referred, `run-e-${name}`);
    await sink.close();
    expect(await referrerOf(`run-e-${name}`)).toEqual({ referrer: 'Maria Lopez', referrer_email: 'maria.lopez@example.org' });
  });

  it("adds the referrer's e-mail to a store made before it was kept, and saves into it", async () => {
    const { sink, referrerOf } = await open({ firstRelease: true });
    await sink.save(referred, `run-f-${name}`);
    await sink.close();
    expect(await referrerOf(`run-f-${name}`)).toEqual({ referrer: 'Maria Lopez', referrer_email: 'maria.lopez@example.org' });
  });
});

describe('deal naming', () => {
  it('names deals "{job_title} ({city}) - {company}" and sources them by referral, booking link or mailbox', () => {
    expect(dealName(dana)).toBe('Lead Data Engineer (Houston) - Northwind Energy Inc.');
    expect(dealName({})).toBe('Unknown role (Unknown location) - Unknown company');
    expect(leadSource(dana)).toBe('Referral');
    expect(leadSource({ calendly_url: 'https://calendly.com/x' })).toBe('Website Inbound');
    expect(leadSource({})).toBe('Email Inbound');
  });
});
