import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startChild } from './child-process.js';
import { sendBadInput } from './soak/bad-inputs.js';
import { randomInt } from './soak/chance.js';
import { runInputs, type RunRequest } from './soak/run-inputs.js';
import { watchRun } from './soak/run-watcher.js';
import { readServerMetrics, type ServerMetrics } from './soak/server-metrics.js';
import { countedFetch, SoakTally } from './soak/soak-tally.js';

/**
 * `npm run soak -- --minutes N`: the real server in a child process (SQLite in a temp
 * directory, as `unfold serve` runs it) under N minutes of mixed runs, with clients that
 * join late, leave and resume, stall, and change transport on the way, and bad inputs
 * sprinkled in. Every client checks its own stream; the soak fails on any gap, duplicate,
 * event after the terminal one, client left without its terminal event, 5xx, bad input
 * not refused by the error contract, or a server that exits. Load is bounded (`--rate`
 * runs a second, `--runs` at once) so the server keeps a core; everything is on loopback.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    /** Runs started a second, at most. */
    rate: { type: 'string', default: '4' },
    /** Runs in flight (with their clients) at most. */
    runs: { type: 'string', default: '8' },
    /** Seconds between progress reports. */
    'report-every': { type: 'string', default: '60' },
    json: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const maxRuns = Number(values.runs);
const reportEveryMs = Number(values['report-every']) * 1000;
if (!(minutes > 0 && rate > 0 && maxRuns > 0 && reportEveryMs > 0)) throw new Error('--minutes, --rate, --runs and --report-every take positive numbers');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// With --json, standard output holds the final report alone; progress goes to standard error.
const say = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);

const dataDir = await mkdtemp(join(tmpdir(), 'unfold-soak-'));
const tally = new SoakTally();
// Warnings (every bad input makes one) stay out of the way; errors are shown and counted.
const server = await startChild('./server-process.js', { UNFOLD_DATA_DIR: dataDir, UNFOLD_STORE: 'sqlite', LOG_LEVEL: 'error' }, { onLogLine: (line) => tally.serverLog(line) });
let serverExit: string | undefined;
void server.exitedEarly.then((how) => (serverExit = how));

const runsByKind = new Map<RunRequest['kind'], number>();
const inputs = await runInputs();
/** OCR of a real image is the heaviest run: one at a time, and not more than one every 20 s. */
const IMAGE_EVERY_MS = 20_000;
let imageInFlight = false;
let lastImageAt = 0;

/** Starts one run and follows it with one to three clients, some joining late. */
async function oneRun(): Promise<void> {
  const request = inputs.next(!imageInFlight && Date.now() - lastImageAt > IMAGE_EVERY_MS);
  const image = request.kind === 'receipt-image';
  if (image) {
    imageInFlight = true;
    lastImageAt = Date.now();
  }
  try {
    const response = await countedFetch(tally, `${server.url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body) });
    const body = (await response.json()) as { run_id?: string };
    if (response.status !== 201 || !body.run_id) return tally.note(`POST /v1/runs (${request.kind}) answered ${response.status}: ${JSON.stringify(body)}`);
    tally.runsStarted++;
    runsByKind.set(request.kind, (runsByKind.get(request.kind) ?? 0) + 1);
    const runId = body.run_id;
    await Promise.all(
      Array.from({ length: randomInt(1, 3) }, async (_, index) => {
        if (index > 0) await sleep(randomInt(0, 3_000));
        // A burst's first client stops reading at once: the server must cut it off, and it resumes.
        const firstPlan = request.kind === 'burst' && index === 0 ? { stallAfter: 1, stallMs: 8_000 } : undefined;
        await watchRun(server.url, runId, tally, { ...(firstPlan ? { firstPlan } : {}), serverGone: () => serverExit !== undefined });
      }),
    );
  } finally {
    if (image) imageInFlight = false;
  }
}

interface Snapshot extends ServerMetrics {
  elapsed_s: number;
  runs_started: number;
  events_out: number;
  gaps: number;
  duplicates: number;
  after_terminal: number;
  unfinished: number;
  http_5xx: number;
  clients_watching: number;
  resumes: number;
  stalls: number;
  server_cuts: number;
  bad_inputs: number;
  bad_inputs_mishandled: number;
  network_errors: number;
  server_error_logs: number;
}

const started = Date.now();
const snapshots: Snapshot[] = [];

async function snapshot(): Promise<Snapshot | undefined> {
  const metrics = await readServerMetrics(server.url, tally).catch(() => undefined);
  if (!metrics) return undefined;
  const taken: Snapshot = {
    elapsed_s: Math.round((Date.now() - started) / 1000),
    runs_started: tally.runsStarted,
    events_out: tally.eventsOut,
    gaps: tally.gaps,
    duplicates: tally.duplicates,
    after_terminal: tally.afterTerminal,
    unfinished: tally.unfinished,
    http_5xx: tally.serverErrors,
    clients_watching: tally.watching,
    resumes: tally.resumes,
    stalls: tally.stalls,
    server_cuts: tally.serverCuts,
    bad_inputs: tally.badInputs,
    bad_inputs_mishandled: tally.badInputsMishandled,
    network_errors: tally.networkErrors,
    server_error_logs: tally.serverErrorLogs,
    ...metrics,
  };
  snapshots.push(taken);
  say(
    `${String(Math.floor(taken.elapsed_s / 60)).padStart(3)}:${String(taken.elapsed_s % 60).padStart(2, '0')}  runs ${taken.runs_started}  events in ${taken.events_appended} out ${taken.events_out}  ` +
      `gaps ${taken.gaps}  dups ${taken.duplicates}  5xx ${taken.http_5xx}  connections ${taken.open_connections} (clients ${taken.clients_watching})  ` +
      `rss ${(taken.rss_bytes / 2 ** 20).toFixed(0)} MiB  loop lag p99 ${(taken.event_loop_lag_p99_s * 1000).toFixed(1)} ms  ` +
      `resumes ${taken.resumes}  stalls ${taken.stalls}  cut by server ${taken.server_cuts}  bad inputs ${taken.bad_inputs} (mishandled ${taken.bad_inputs_mishandled})  server error logs ${taken.server_error_logs}`,
  );
  return taken;
}

say(`soak: ${minutes} min against ${server.url} (pid ${server.pid}, data in ${dataDir}), at most ${rate} runs/s and ${maxRuns} at once`);
const endAt = started + minutes * 60_000;
const inFlight = new Set<Promise<void>>();
const track = (work: Promise<void>) => {
  const tracked = work.catch((error: unknown) => tally.note(`client error: ${(error as Error).message}`)).finally(() => inFlight.delete(tracked));
  inFlight.add(tracked);
};

const reporter = setInterval(() => void snapshot(), reportEveryMs);
const badInputs = (async () => {
  while (Date.now() < endAt && serverExit === undefined) {
    await sleep(randomInt(500, 2_500));
    await sendBadInput(server.url, tally);
  }
})();
while (Date.now() < endAt && serverExit === undefined) {
  if (inFlight.size < maxRuns) track(oneRun());
  await sleep(1000 / rate);
}
await badInputs;
// The clients of the last runs finish (or give up at their own deadline).
await Promise.all(inFlight);
clearInterval(reporter);
const final = await snapshot();
await server.stop();
await rm(dataDir, { recursive: true, force: true });

const failures = [
  ...(tally.gaps > 0 ? [`${tally.gaps} events missing from clients' streams (gaps)`] : []),
  ...(tally.duplicates > 0 ? [`${tally.duplicates} events received twice`] : []),
  ...(tally.afterTerminal > 0 ? [`${tally.afterTerminal} events after a terminal event`] : []),
  ...(tally.unfinished > 0 ? [`${tally.unfinished} clients never saw their run's terminal event`] : []),
  ...(tally.serverErrors > 0 ? [`${tally.serverErrors} HTTP answers were 5xx`] : []),
  ...(tally.badInputsMishandled > 0 ? [`${tally.badInputsMishandled} bad inputs not refused as the error contract says`] : []),
  ...(serverExit ? [`the server ${serverExit}`] : []),
  ...(final ? [] : ['the last /metrics scrape failed']),
];
const report = {
  ok: failures.length === 0,
  failures,
  minutes,
  runs_by_kind: Object.fromEntries(runsByKind),
  watchers: tally.watchers,
  ...tally.counts(),
  final,
  snapshots,
  notes: tally.notes,
};
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  say(`runs by kind ${JSON.stringify(report.runs_by_kind)}  clients ${tally.watchers}  HTTP ${JSON.stringify(report.http)}  WebSocket closes ${JSON.stringify(report.ws_close)}`);
  for (const note of tally.notes) say(`note: ${note}`);
  say(failures.length === 0 ? 'soak passed' : `soak FAILED: ${failures.join('; ')}`);
}
process.exit(failures.length === 0 ? 0 : 1);
