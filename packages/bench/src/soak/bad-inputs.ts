import { CLOSE_CODES, isErrorCode } from '@unfold/protocol';
import { WebSocket } from 'ws';
import { randomPick } from './chance.js';
import { countedFetch, type SoakTally } from './soak-tally.js';

/** A bad input and whether the server refused it as the error contract says. */
type BadInput = (baseUrl: string, tally: SoakTally) => Promise<boolean>;

/** A 4xx whose body is `{"code","message"}` with a known code. */
async function refusedOverHttp(tally: SoakTally, url: string, init: RequestInit): Promise<boolean> {
  // A refusal is immediate; an answer that does not come is a fault, not a reason to hang.
  const response = await countedFetch(tally, url, { ...init, signal: AbortSignal.timeout(10_000) });
  const body = (await response.json().catch(() => undefined)) as { code?: unknown; message?: unknown } | undefined;
  const refused = response.status >= 400 && response.status < 500 && isErrorCode(body?.code) && typeof body?.message === 'string';
  if (!refused) tally.note(`${init.method ?? 'GET'} ${url} answered ${response.status} ${JSON.stringify(body)}`);
  return refused;
}

const postRaw = (body: string, contentType = 'application/json'): RequestInit => ({ method: 'POST', headers: { 'content-type': contentType }, body });

/**
 * Sends `messages` on a fresh multiplexed socket and expects an error frame for each,
 * or the close code `expectClose` (an oversized frame). The socket must never drop
 * without a close frame.
 */
function refusedOverWebSocket(baseUrl: string, tally: SoakTally, messages: Array<string | Buffer>, expectClose?: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/ws`, { perMessageDeflate: false });
    let errors = 0;
    const done = (ok: boolean, why: string) => {
      if (!ok) tally.note(`bad WebSocket input: ${why}`);
      socket.close(1000);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false, `no answer to ${messages.length} bad messages`), 10_000);
    socket.on('upgrade', () => tally.status(101));
    socket.on('unexpected-response', (_request, response) => {
      tally.status(response.statusCode ?? 0);
      clearTimeout(timer);
      done(false, `upgrade answered ${response.statusCode}`);
    });
    socket.on('error', () => undefined);
    socket.on('open', () => messages.forEach((message) => socket.send(message)));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { event_type?: string; code?: unknown };
      if (frame.event_type !== 'error') return;
      if (!isErrorCode(frame.code)) return done(false, `error frame without a known code: ${data.toString()}`);
      errors++;
      if (expectClose === undefined && errors === messages.length) {
        clearTimeout(timer);
        done(true, '');
      }
    });
    socket.on('close', (code) => {
      tally.closed(code);
      clearTimeout(timer);
      if (expectClose !== undefined) done(code === expectClose, `closed ${code}, expected ${expectClose}`);
      else if (errors < messages.length) done(false, `closed ${code} before answering`);
    });
  });
}

const NO_SUCH_RUN = '00000000-0000-4000-8000-000000000000';

const BAD_INPUTS: readonly BadInput[] = [
  (url, tally) => refusedOverHttp(tally, `${url}/v1/runs`, postRaw('{"pipeline": "demo", "input": {')),
  (url, tally) => refusedOverHttp(tally, `${url}/v1/runs`, postRaw(JSON.stringify({ pipeline: 'no-such-pipeline', input: {} }))),
  (url, tally) => refusedOverHttp(tally, `${url}/v1/runs`, postRaw(JSON.stringify({ pipeline: 'demo', input: { pace: 'fast' } }))),
  (url, tally) => refusedOverHttp(tally, `${url}/v1/runs`, postRaw(JSON.stringify({ pipeline: 'receipt', input: { words: [{ text: 42 }] } }))),
  (url, tally) => refusedOverHttp(tally, `${url}/v1/runs`, postRaw('pipeline=demo', 'text/plain')),
  (url, tally) => refusedOverHttp(tally, `${url}/v1/runs/${NO_SUCH_RUN}`, {}),
  // (A well-formed id of a run that does not exist yet is a valid subscription: it waits for the run.)
  (url, tally) => refusedOverHttp(tally, `${url}/v1/runs/%24not%20an%20id/events`, { headers: { accept: 'text/event-stream' } }),
  (url, tally) => refusedOverHttp(tally, `${url}/v1/runs/${NO_SUCH_RUN}/events?after=-1`, { headers: { accept: 'application/x-ndjson' } }),
  (url, tally) => refusedOverHttp(tally, `${url}/v1/runs/${NO_SUCH_RUN}/events?after=soon&wait=0`, { headers: { accept: 'application/json' } }),
  (url, tally) => refusedOverHttp(tally, `${url}/v1/runs/${NO_SUCH_RUN}/events`, { headers: { accept: 'image/png' } }),
  (url, tally) => refusedOverWebSocket(url, tally, ['{not json', JSON.stringify({ type: 'launch' }), JSON.stringify({ type: 'subscribe', run_id: 42 }), Buffer.from([0xff, 0x00, 0x13])]),
  (url, tally) => refusedOverWebSocket(url, tally, [JSON.stringify({ type: 'subscribe', run_id: NO_SUCH_RUN, after: 0, padding: 'x'.repeat(200_000) })], CLOSE_CODES.message_too_big),
];

/** Sends one bad input picked at random; counts it, and counts it again if mishandled. */
export async function sendBadInput(baseUrl: string, tally: SoakTally): Promise<void> {
  tally.badInputs++;
  const refused = await randomPick(BAD_INPUTS)(baseUrl, tally).catch((error: unknown) => {
    tally.note(`bad input failed on the client: ${(error as Error).message}`);
    return false;
  });
  if (!refused) tally.badInputsMishandled++;
}
