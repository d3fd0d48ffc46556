import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const SINKS: Array<[string, () => Promise<RecordSink>]> = [
  [
    'sqlite',
    async () => {
      const directory = await mkdtemp(join(tmpdir(), 'unfold-sink-'));
      cleanups.push(() => rm(directory, { recursive: true, force: true }));
      return createSqliteSink({ path: join(directory, 'records.sqlite') });
    },
  ],
  [
    'postgres',
    async () => {
      cleanups.push(async () => {
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      });
      return createPostgresSink({ connectionString: POSTGRES_URL, schema });
    },
  ],
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
    const sink = await open();
    const first = await sink.save(dana, `run-a-${_name}`);
    expect(first.map((record) => `${record.record_type}:${record.created}`)).toEqual(['account:true', 'contact:true', 'deal:true']);
    const retried = await sink.save(dana, `run-a-${_name}`);
    expect(retried).toEqual(first.map((record) => ({ ...record, created: false })));
    await sink.close();
  });

  it('reuses the account by name and the contact by e-mail for a second deal, and keeps concurrent retries to one deal', async () => {
    const sink = await open();
    await sink.save(dana, `run-b-${_name}`);
    const second = await sink.save({ ...dana, company_name: 'NORTHWIND ENERGY INC.', website: undefined, job_title: 'Staff Engineer' }, `run-c-${_name}`);
    expect(second.map((record) => `${record.record_type}:${record.created}`)).toEqual(['account:false', 'contact:false', 'deal:true']);
    const racing = await Promise.all([1, 2, 3].map(() => sink.save(dana, `run-d-${_name}`)));
    expect(new Set(racing.map((records) => records.at(-1)?.record_id)).size).toBe(1);
    expect(racing.filter((records) => records.at(-1)?.created)).toHaveLength(1);
    await sink.close();
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
