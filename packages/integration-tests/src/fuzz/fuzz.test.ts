import { rm } from 'node:fs/promises';
import { createClient } from '@unfold/client/node';
import { isTerminalEventType, type UnfoldEvent } from '@unfold/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test-server.js';
import { trapCrashes, type CrashTrap } from './crash-trap.js';
import { frameArb, type FuzzFrame } from './frame-arbitraries.js';
import { FuzzReport } from './fuzz-report.js';
import { FUZZ_RUNS, FUZZ_SEED, inputsFor } from './fuzz-settings.js';
import { FuzzSocket, type FrameAnswer, type Refusal } from './fuzz-socket.js';
import { httpRequestArb, streamQueryArb, type FuzzRequest } from './http-arbitraries.js';
import { imageRequestArb, realImages } from './image-inputs.js';
import { closeProblem, frameProblem, httpAnswerProblem } from './oracles.js';
import { pathParamArb, unicodeStringArb } from './weird-values.js';

/** Long enough for any answer of this server; a long poll the fuzz asked for may use it all. */
const HTTP_TIMEOUT_MS = 5_000;

/** A server with no client left shuts down well within this. */
const SHUTDOWN_MS = 10_000;
/** A small image's OCR, even on a busy machine. */
const RUN_WAIT_MS = 10_000;
const sleep = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms));

/** Each target's inputs, reproducible from the seed alone: a target's index offsets it. */
function inputs<T>(arb: fc.Arbitrary<T>, targetIndex: number, count: number): T[] {
  return fc.sample(arb, { seed: FUZZ_SEED + targetIndex, numRuns: count });
}

describe('fuzz: no outside input takes the server down or gets an answer outside the contract', () => {
  let server: TestServer;
  let trap: CrashTrap;
  const report = new FuzzReport();
  const existingRuns: string[] = [];
  /** Every run an input started, to check afterwards that none lost an event. */
  const startedRuns: string[] = [];

  beforeAll(async () => {
    // One run at a time: the runs the fuzz starts must not swamp a shared machine.
    server = await startTestServer({ UNFOLD_CONCURRENCY: '1', LOG_LEVEL: 'silent' });
    trap = trapCrashes();
    // A finished run and a pending id, so subscriptions and reads hit real logs too.
    const client = createClient({ baseUrl: server.url });
    const finished = await client.runAndWatch({ pipeline: 'demo', input: { pace: 0 }, run_id: 'fuzz-finished' }).done;
    existingRuns.push(finished.run_id, 'fuzz-not-yet');
  }, 60_000);

  afterAll(async () => {
    trap.release();
    console.log(report.summary());
    // Bounded: a server that cannot shut down has its own test below and must not hang the run.
    await Promise.race([server.close(), sleep(SHUTDOWN_MS)]);
    await rm(server.dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Pins every crash since the last check on this input. */
  const recordCrashes = (target: string, index: number, input: unknown): void => {
    for (const crash of trap.take()) report.record(target, index, input, `process would exit: ${crash}`);
  };
  /** Counts the input and records any crash and every problem its answer shows. */
  const check = (target: string, index: number, input: unknown, problems: Array<string | undefined>): void => {
    report.count(target);
    recordCrashes(target, index, input);
    for (const problem of problems) if (problem !== undefined) report.record(target, index, input, problem);
  };
  const findingsOf = (target: string) => report.findings.filter((finding) => finding.target === target);

  /**
   * Waits for a run to end, so what its tools do (and any crash) happens before the next
   * input. A run that neither ends nor crashes the process in time is a finding, and is
   * cancelled so it does not hold the queue.
   */
  async function finished(runId: string): Promise<string | undefined> {
    const url = `${server.url}/v1/runs/${encodeURIComponent(runId)}`;
    const deadline = Date.now() + RUN_WAIT_MS;
    while (Date.now() < deadline && !trap.crashed) {
      const run = (await (await fetch(url)).json()) as { status?: string };
      if (run.status !== 'queued' && run.status !== 'running') return undefined;
      await sleep(50);
    }
    if (trap.crashed) return undefined;
    await fetch(`${url}/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    return `run still unfinished after ${RUN_WAIT_MS} ms`;
  }

  /** Sends one input; the runs it starts are cancelled at once, or awaited when `runs` is 'await'. */
  async function sendHttp(request: FuzzRequest, runs: 'cancel' | 'await' = 'cancel'): Promise<Array<string | undefined>> {
    let response: Response;
    try {
      response = await fetch(`${server.url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      // fetch refusing to build the request (an URL or header it cannot send) is not the server's doing.
      if (error instanceof TypeError && cause === undefined) return [];
      const longPoll = request.path.includes('/events') && !/[?&]wait=0(&|$)/.test(request.path);
      if ((error as Error).name === 'TimeoutError') return longPoll ? [] : [`no answer within ${HTTP_TIMEOUT_MS} ms`];
      return [`request failed: ${cause ?? (error as Error).message}`];
    }
    if (response.status < 400) {
      const streaming = /event-stream|ndjson/.test(response.headers.get('content-type') ?? '');
      if (streaming) await response.body?.cancel();
      const body = streaming ? undefined : ((await response.json().catch(() => undefined)) as { run_id?: unknown; receipt_id?: unknown } | undefined);
      const created = body?.run_id ?? body?.receipt_id;
      if (typeof created !== 'string' || request.method !== 'POST') return [];
      startedRuns.push(created);
      if (runs === 'await') return [await finished(created)];
      // The fuzz's runs are cancelled at once so they never queue up behind each other.
      await fetch(`${server.url}/v1/runs/${encodeURIComponent(created)}/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return [];
    }
    return [httpAnswerProblem(response.status, await response.text().catch((error: unknown) => `<body unreadable: ${String(error)}>`))];
  }

  it('HTTP routes: bodies for every pipeline, paths, query parameters and headers', async () => {
    const requests = inputs(httpRequestArb(existingRuns), 0, inputsFor(0.4));
    for (const [index, request] of requests.entries()) check('http', index, request, await sendHttp(request));
    expect(findingsOf('http').length, report.summary('http')).toBe(0);
  }, 240_000);

  it('images: random bytes behind JPEG/PNG headers, truncated and damaged real images', async () => {
    const requests = inputs(imageRequestArb(await realImages()), 1, inputsFor(0.004, 40));
    for (const [index, request] of requests.entries()) {
      // OCR of a damaged image fails on a worker: the run is awaited so a crash is pinned on its input.
      check('image', index, request, await sendHttp(request, 'await'));
    }
    expect(findingsOf('image').length, report.summary('image')).toBe(0);
  }, 240_000);

  const pingJson = JSON.stringify({ type: 'ping' });
  const isEventPong = (text: string) => text === '{"event_type":"pong"}';
  const isSeedPong = (text: string) => text.startsWith('{"type":"pong"');
  const socketTargets: Array<{ name: string; share: number; path: fc.Arbitrary<string>; isPong(text: string): boolean }> = [
    { name: 'ws /v1/ws', share: 0.18, path: fc.oneof(fc.constant('/v1/ws'), unicodeStringArb.map((text) => `/v1/ws?batch=${encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '?'))}&token=x`)), isPong: isEventPong },
    { name: 'ws /v1/runs/:id/ws', share: 0.16, path: fc.tuple(fc.oneof(pathParamArb, fc.constantFrom('fuzz-finished', 'fuzz-not-yet')), streamQueryArb).map(([id, query]) => `/v1/runs/${id}/ws${query}`), isPong: isEventPong },
    { name: 'ws /ws/receipt/:id', share: 0.12, path: pathParamArb.map((id) => `/ws/receipt/${id}`), isPong: isEventPong },
    { name: 'ws /stream/ws/email-processing', share: 0.14, path: fc.constantFrom('/stream/ws/email-processing', '/stream/ws/email-processing?token=', '/stream/ws/email-processing?token=%zz'), isPong: isSeedPong },
  ];

  it.each(socketTargets.map((target, index) => [target.name, target, index] as const))('%s: frames of every shape', async (name, target, index) => {
    const socket = new FuzzSocket(pingJson, target.isPong, () => trap.crashed);
    const steps = inputs(fc.record({ reopen: fc.option(target.path, { nil: undefined, freq: 8 }), frame: frameArb(existingRuns) }), 10 + index, inputsFor(target.share));
    const problemsOf = (answer: FrameAnswer | Refusal): Array<string | undefined> => {
      if (answer.kind === 'refused') return [answer.status === 0 ? `upgrade failed: ${answer.body}` : answer.status < 400 ? `upgrade answered ${answer.status}` : httpAnswerProblem(answer.status, answer.body)];
      const problems = answer.texts.map(frameProblem);
      // After a crash the socket's silence is no news: the crash is the finding.
      if (answer.kind === 'silent') {
        if (!trap.crashed) problems.push('no pong within 3 s of the frame');
      } else if (answer.closed !== undefined) problems.push(closeProblem(answer.closed));
      return problems;
    };
    try {
      for (const [step, { reopen, frame }] of steps.entries()) {
        const input: { path?: string; frame: FuzzFrame } = { frame };
        if (reopen !== undefined || !socket.isOpen) {
          input.path = reopen ?? fc.sample(target.path, { seed: FUZZ_SEED + step, numRuns: 1 })[0];
          const opened = await socket.open(`${server.wsUrl}${input.path}`);
          if (opened.kind === 'unsendable') continue;
          if (opened.kind === 'refused') {
            check(name, step, input, problemsOf(opened));
            continue;
          }
        }
        const answer = await socket.send(frame);
        // A socket that went silent or saw a crash is not trusted with the next input.
        if (answer.kind === 'silent') socket.dispose();
        check(name, step, input, problemsOf(answer));
      }
      // A crash the last input caused may land just after it.
      await sleep(100);
      recordCrashes(name, steps.length - 1, 'just after the last input');
    } finally {
      socket.dispose();
    }
    expect(findingsOf(name).length, report.summary(name)).toBe(0);
  }, 240_000);

  it('is alive afterwards: /healthz answers 200 and a demo run arrives whole, each event once, terminal last', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const stream = createClient({ baseUrl: server.url }).runAndWatch({ pipeline: 'demo', input: { pace: 0 } });
    const events: UnfoldEvent[] = [];
    stream.on('event', (event) => events.push(event));
    await stream.done;
    expect(events.map((event) => event.seq)).toEqual(events.map((_event, index) => index + 1));
    expect(events.filter((event) => isTerminalEventType(event.event_type)).map((event) => event.seq)).toEqual([events.length]);
    expect(trap.take()).toEqual([]);
    expect(report.total).toBeGreaterThanOrEqual(FUZZ_RUNS);
  }, 60_000);

  /** A run's whole log over long-poll, page by page, once the run has ended. */
  async function logOf(runId: string): Promise<UnfoldEvent[]> {
    const path = `${server.url}/v1/runs/${encodeURIComponent(runId)}`;
    for (let polls = 0; polls < 100; polls++) {
      const { status } = (await (await fetch(path)).json()) as { status?: string };
      if (status !== 'queued' && status !== 'running') break;
      await sleep(50);
    }
    const events: UnfoldEvent[] = [];
    for (;;) {
      const poll = (await (await fetch(`${path}/events?after=${events.at(-1)?.seq ?? 0}&wait=0`, { headers: { accept: 'application/json' } })).json()) as { events: UnfoldEvent[]; done: boolean };
      events.push(...poll.events);
      if (poll.done || poll.events.length === 0) return events;
    }
  }

  it('lost no event of any run the fuzz started: each log is gapless from seq 1 and ends with its one terminal event', async () => {
    const broken: string[] = [];
    for (const runId of startedRuns) {
      const events = await logOf(runId);
      const gapless = events.every((event, index) => event.seq === index + 1);
      const terminals = events.filter((event) => isTerminalEventType(event.event_type)).length;
      if (!gapless || terminals !== 1 || !isTerminalEventType(events.at(-1)?.event_type ?? '')) broken.push(`${runId}: ${events.map((event) => `${event.seq}:${event.event_type}`).join(' ')}`);
    }
    expect(startedRuns.length).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  }, 120_000);

  it('shuts down once the fuzz is over: no input leaves a connection that holds the server open', async () => {
    expect(await Promise.race([server.close().then(() => 'closed' as const), sleep(SHUTDOWN_MS)])).toBe('closed');
  }, 30_000);
});
