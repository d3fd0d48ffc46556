import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import type { TelemetryWorkload } from './telemetry-overhead.js';

/**
 * The worst case for telemetry: runs with almost no work of their own (one tool, 20 tiny
 * events), each created over HTTP and read over NDJSON, so a run's spans, ids and metric
 * observations weigh against the least possible work.
 */
export function smallRunsWorkload(): TelemetryWorkload {
  return {
    name: 'small runs (20 events, NDJSON)',
    warmupRuns: 3_000,
    rewarmRuns: 500,
    runsPerRound: 800,
    concurrency: 16,
    async oneRun(baseUrl) {
      const created = await fetch(`${baseUrl}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'burst', input: { events: 20, size: 32 } }) });
      const { run_id } = (await created.json()) as { run_id: string };
      await (await fetch(`${baseUrl}/v1/runs/${run_id}/events`, { headers: { accept: 'application/x-ndjson' } })).text();
    },
  };
}

/** The annotated Enron emails (see the README's Emails section), `UNFOLD_ENRON_DIR` or `data/enron-signatures/`. */
const ENRON = `${process.env['UNFOLD_ENRON_DIR'] ?? fileURLToPath(new URL('../../../../data/enron-signatures', import.meta.url))}/`;
const FIXTURE = fileURLToPath(new URL('../../../integration-tests/fixtures/intake.eml', import.meta.url));

/** Real emails: the Enron set when it is there, else the test fixture. */
async function emails(limit: number): Promise<string[]> {
  if (!existsSync(ENRON)) return [await readFile(FIXTURE, 'utf8')];
  const names = (await readdir(ENRON)).filter((name) => name.endsWith('.txt')).sort().slice(0, limit);
  return Promise.all(names.map((name) => readFile(`${ENRON}${name}`, 'utf8')));
}

/**
 * The product's own path: the email intake pipeline (parse, rules extraction ∥ research,
 * validation, a record in SQLite) over real emails, each run created over HTTP and
 * watched to its end over its WebSocket, as the client SDK does — with a bare `ws`
 * socket here, so the load generator stays light enough to keep the server saturated.
 */
export async function emailIntakeWorkload(): Promise<TelemetryWorkload & { emails: number }> {
  const raw = await emails(200);
  return {
    name: 'email intake (WebSocket)',
    emails: raw.length,
    warmupRuns: 1_500,
    rewarmRuns: 300,
    runsPerRound: 1_000,
    concurrency: 16,
    async oneRun(baseUrl, index) {
      const created = await fetch(`${baseUrl}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'email', input: { raw: raw[index % raw.length] } }) });
      const { run_id } = (await created.json()) as { run_id: string };
      // The server closes a run's socket once the terminal event is out.
      const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/runs/${run_id}/ws`, { perMessageDeflate: false });
      await new Promise<void>((resolve, reject) => {
        socket.once('close', () => resolve());
        socket.once('error', reject);
      });
    },
  };
}
