import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../raw-clients.js';
import { eventsToTheEnd, startRun, terminalOf } from './run-outcome.js';
import { spawnServer, type ServerProcess } from './spawn-server.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** The machine's PostgreSQL; this suite makes its own database and drops it afterwards. */
const ADMIN_URL = process.env['UNFOLD_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const stamp = `${process.pid}_${Date.now()}`;
const database = `unfold_faults_${stamp}`;
/** Names the server's connections in pg_stat_activity, so the test kills only its own. */
const applicationName = `unfold_faults_${stamp}`;

const email = {
  sender_name: 'Ines Carvalho',
  sender_email: 'ines.carvalho@tidewater-labs.example',
  subject: 'Platform engineer opening',
  body: 'Hello,\n\nI would like to apply for the platform engineer role.\n\nKind regards,\nInes Carvalho\nTidewater Labs\nPorto, Portugal\n+351 220 000 111',
};

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const databaseUrl = (base: string, port: number, name: string) => {
  const url = new URL(base);
  url.port = String(port);
  url.pathname = `/${name}`;
  return url;
};

async function runToTheEnd(server: ServerProcess, runId: string) {
  await startRun(server.url, runId, 'email', email);
  const events = await eventsToTheEnd(server.url, runId);
  return { events, terminal: terminalOf(events) };
}

describe('the PostgreSQL sink when PostgreSQL goes away', () => {
  let proxy: TcpProxy;
  let server: ServerProcess;
  const admin = new URL(ADMIN_URL);

  beforeAll(async () => {
    await withClient(ADMIN_URL, (client) => client.query(`CREATE DATABASE ${database}`));
    // The server reaches PostgreSQL through a relay the test can cut, as a network or a failover would.
    proxy = await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
    const sinkUrl = databaseUrl(ADMIN_URL, proxy.port, database);
    sinkUrl.searchParams.set('application_name', applicationName);
    server = await spawnServer({ UNFOLD_EMAIL_SINK: 'postgres', UNFOLD_POSTGRES_URL: sinkUrl.toString() });
  });

  afterAll(async () => {
    await server?.cleanup();
    await proxy?.close();
    await withClient(ADMIN_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  });

  const terminateSinkConnections = () =>
    withClient(ADMIN_URL, async (client) => (await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName])).rowCount ?? 0);

  const expectServerUp = async () => {
    expect(server.running, `the server exited:\n${server.logs.slice(-5).join('\n')}`).toBe(true);
    expect((await getJson(`${server.url}/healthz`)).body).toEqual({ status: 'ok' });
  };

  it('survives its idle connections being killed, retries a save whose connection dies, fails a run with a code while PostgreSQL is unreachable, recovers, and never duplicates a deal', async () => {
    const first = await runToTheEnd(server, `pg-first-${stamp}`);
    expect(first.terminal.event_type).toBe('processing_completed');

    // The pool now holds idle connections; PostgreSQL ends them (a restart or failover does).
    expect(await terminateSinkConnections()).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expectServerUp();
    const afterKill = await runToTheEnd(server, `pg-after-kill-${stamp}`);
    expect(afterKill.terminal.event_type).toBe('processing_completed');

    // Mid-save: hold the run's advisory lock so its transaction waits, then kill its connection.
    const midRun = `pg-mid-run-${stamp}`;
    const outcome = await withClient(databaseUrl(ADMIN_URL, Number(admin.port || 5432), database).toString(), async (blocker) => {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_advisory_xact_lock(hashtext($1))', [midRun]);
      await startRun(server.url, midRun, 'email', email);
      const waiting = async () =>
        (await blocker.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [applicationName])).rows[0]?.n as number;
      for (let tries = 0; (await waiting()) === 0; tries++) {
        if (tries > 200) throw new Error('the sink never waited on the advisory lock');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await terminateSinkConnections()).toBeGreaterThan(0);
      await blocker.query('COMMIT');
      return eventsToTheEnd(server.url, midRun);
    });
    expect(terminalOf(outcome).event_type).toBe('processing_completed');
    expect(outcome.some((event) => event.event_type === 'tool_started' && event['tool_name'] === 'create_records' && event['attempt'] === 2)).toBe(true);

    // PostgreSQL unreachable: open connections reset, new ones refused.
    await proxy.down();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expectServerUp();
    const unreachable = await runToTheEnd(server, `pg-unreachable-${stamp}`);
    expect(unreachable.terminal.event_type).toBe('processing_failed');
    expect(unreachable.terminal['code']).toBe('tool_failed');
    expect(unreachable.terminal['tool_name']).toBe('create_records');

    await proxy.up();
    const recovered = await runToTheEnd(server, `pg-recovered-${stamp}`);
    expect(recovered.terminal.event_type).toBe('processing_completed');

    // PostgreSQL hangs: connections open but nothing answers. Each save gives up on its
    // connection instead of waiting for ever, and the pool is whole again once it answers.
    await proxy.stall();
    const hung = await Promise.all([1, 2, 3, 4, 5].map((index) => runToTheEnd(server, `pg-hung-${index}-${stamp}`)));
    for (const { terminal } of hung) expect([terminal.event_type, terminal['code']]).toEqual(['processing_failed', 'tool_failed']);
    await proxy.up();
    const afterHang = await runToTheEnd(server, `pg-after-hang-${stamp}`);
    expect(afterHang.terminal.event_type).toBe('processing_completed');
    await expectServerUp();

    const deals = await withClient(databaseUrl(ADMIN_URL, Number(admin.port || 5432), database).toString(), async (client) =>
      (await client.query<{ key: string; n: number }>('SELECT idempotency_key AS key, count(*)::int AS n FROM unfold.deals GROUP BY 1 ORDER BY 1')).rows,
    );
    expect(deals).toEqual([`pg-after-hang-${stamp}`, `pg-after-kill-${stamp}`, `pg-first-${stamp}`, midRun, `pg-recovered-${stamp}`].sort().map((key) => ({ key, n: 1 })));
  }, 60_000);

  it('ends runs with a coded failure after its retries when PostgreSQL was never reachable, and stays up', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const nowhere = await spawnServer({ UNFOLD_EMAIL_SINK: 'postgres', UNFOLD_POSTGRES_URL: databaseUrl(ADMIN_URL, closedPort, database).toString() });
    try {
      const { events, terminal } = await runToTheEnd(nowhere, `pg-nowhere-${stamp}`);
      expect([terminal.event_type, terminal['code'], terminal['tool_name']]).toEqual(['processing_failed', 'tool_failed', 'create_records']);
      // Connection refused is transient: every attempt the tool allows was made.
      expect(events.filter((event) => event.event_type === 'tool_started' && event['tool_name'] === 'create_records')).toHaveLength(4);
      expect(nowhere.running).toBe(true);
      expect((await getJson(`${nowhere.url}/healthz`)).body).toEqual({ status: 'ok' });
    } finally {
      await nowhere.cleanup();
    }
  }, 60_000);
});
