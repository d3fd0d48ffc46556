import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresSink } from './postgres-sink.js';

/** The machine's PostgreSQL (CI starts it when it is down); each run gets its own schema. */
const POSTGRES_URL = process.env['UNFOLD_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `unfold_race_${process.pid}_${Date.now()}`;

afterAll(async () => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describe('the PostgreSQL sink', () => {
  it('lets several servers that start together on one database create its tables at once', async () => {
    const sinks = Array.from({ length: 8 }, () => createPostgresSink({ connectionString: POSTGRES_URL, schema }));
    try {
      const saved = await Promise.allSettled(sinks.map((sink, index) => sink.save({ company_name: `Race ${index}`, email: `race${index}@example.org` }, `race-${index}`)));
      expect(saved.filter((outcome) => outcome.status === 'rejected').map((outcome) => String((outcome as PromiseRejectedResult).reason))).toEqual([]);
    } finally {
      await Promise.all(sinks.map((sink) => sink.close()));
    }
  });
});
