import type { TransportName } from '@unfold/protocol';
import { WebSocket } from 'ws';
import { countedFetch, type SoakTally } from './soak-tally.js';
import type { StreamCheck } from './stream-check.js';

/** How one connection ended: the run's terminal event came, the client left, or the server ended it first. */
export type ConnectionEnd = 'terminal' | 'left' | 'cut';

/** What a client does on one connection, counted in stored events received on it. */
export interface ConnectionPlan {
  /** Stop reading after this many events, for `stallMs`, then go on. */
  stallAfter?: number;
  stallMs?: number;
  /** Hang up after this many events (to resume later from the last seq). */
  leaveAfter?: number;
}

export interface Connection {
  baseUrl: string;
  runId: string;
  check: StreamCheck;
  tally: SoakTally;
  plan: ConnectionPlan;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts events on one connection and says when the plan stalls or leaves. */
class PlanCursor {
  private events = 0;

  constructor(private readonly plan: ConnectionPlan) {}

  /** After a stored event: what the client does next. */
  next(): 'go' | 'stall' | 'leave' {
    this.events++;
    if (this.events === this.plan.leaveAfter) return 'leave';
    if (this.events === this.plan.stallAfter) return 'stall';
    return 'go';
  }
}

function overWebSocket({ baseUrl, runId, check, tally, plan }: Connection): Promise<ConnectionEnd> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/runs/${runId}/ws?after=${check.position}`, { perMessageDeflate: false });
    const cursor = new PlanCursor(plan);
    let end: ConnectionEnd | undefined;
    const settle = (how: ConnectionEnd) => {
      end ??= how;
      resolve(end);
    };
    socket.on('upgrade', () => tally.status(101));
    socket.on('unexpected-response', (_request, response) => {
      tally.status(response.statusCode ?? 0);
      response.resume();
      settle('cut');
    });
    socket.on('error', () => {
      if (end === undefined) tally.networkErrors++;
      settle('cut');
    });
    socket.on('close', (code) => {
      tally.closed(code);
      settle(check.finished ? 'terminal' : 'cut');
    });
    socket.on('message', (data) => {
      if (end !== undefined) return;
      const parsed = JSON.parse(data.toString()) as Record<string, unknown> | Array<Record<string, unknown>>;
      for (const frame of Array.isArray(parsed) ? parsed : [parsed]) {
        if (end !== undefined) return;
        check.see(frame);
        if (typeof frame['seq'] !== 'number') continue;
        const next = cursor.next();
        if (next === 'leave') {
          end = 'left';
          socket.close(1000);
          resolve('left');
        } else if (next === 'stall') {
          tally.stalls++;
          socket.pause();
          setTimeout(() => socket.resume(), plan.stallMs ?? 0);
        }
      }
    });
  });
}

/** Splits a streamed body into frames: SSE messages (blank-line separated) or NDJSON lines. */
function frameSplitter(format: 'sse' | 'ndjson'): (chunk: string) => Array<Record<string, unknown>> {
  let buffered = '';
  const separator = format === 'sse' ? '\n\n' : '\n';
  return (chunk) => {
    buffered += chunk;
    const parts = buffered.split(separator);
    buffered = parts.pop() ?? '';
    const frames: Array<Record<string, unknown>> = [];
    for (const part of parts) {
      const data = format === 'sse' ? part.split('\n').find((line) => line.startsWith('data: '))?.slice(6) : part;
      if (data) frames.push(JSON.parse(data) as Record<string, unknown>);
    }
    return frames;
  };
}

async function overHttpStream({ baseUrl, runId, check, tally, plan }: Connection, format: 'sse' | 'ndjson'): Promise<ConnectionEnd> {
  const aborter = new AbortController();
  const accept = format === 'sse' ? 'text/event-stream' : 'application/x-ndjson';
  let response: Response;
  try {
    response = await countedFetch(tally, `${baseUrl}/v1/runs/${runId}/events?after=${check.position}`, { headers: { accept }, signal: aborter.signal });
  } catch {
    return 'cut';
  }
  if (!response.ok || !response.body) {
    await response.text().catch(() => undefined);
    return 'cut';
  }
  const cursor = new PlanCursor(plan);
  const split = frameSplitter(format);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return check.finished ? 'terminal' : 'cut';
      for (const frame of split(value)) {
        check.see(frame);
        if (typeof frame['seq'] !== 'number') continue;
        const next = cursor.next();
        if (next === 'leave') {
          aborter.abort();
          return 'left';
        }
        if (next === 'stall') {
          tally.stalls++;
          await sleep(plan.stallMs ?? 0);
        }
      }
    }
  } catch {
    // The server reset the stream (or we left): resume from the last seq.
    return check.finished ? 'terminal' : 'cut';
  } finally {
    aborter.abort();
  }
}

async function overLongPoll({ baseUrl, runId, check, tally, plan }: Connection): Promise<ConnectionEnd> {
  const cursor = new PlanCursor(plan);
  // As the SDK opens it: a request that does not wait, then polls that do.
  for (let wait = 0; ; wait = 10) {
    let response: Response;
    try {
      response = await countedFetch(tally, `${baseUrl}/v1/runs/${runId}/events?after=${check.position}&wait=${wait}`, { headers: { accept: 'application/json' } });
    } catch {
      return 'cut';
    }
    const body = (await response.json().catch(() => ({}))) as { events?: Array<Record<string, unknown>>; done?: boolean };
    if (!response.ok) return 'cut';
    for (const event of body.events ?? []) {
      check.see(event);
      const next = cursor.next();
      if (next === 'leave') return 'left';
      if (next === 'stall') {
        tally.stalls++;
        await sleep(plan.stallMs ?? 0);
      }
    }
    if (check.finished) return 'terminal';
  }
}

/** Follows the run from the check's position over one connection of `transport`. */
export function connect(transport: TransportName, connection: Connection): Promise<ConnectionEnd> {
  if (transport === 'websocket') return overWebSocket(connection);
  if (transport === 'long-poll') return overLongPoll(connection);
  return overHttpStream(connection, transport);
}
