import type { StreamCheck } from './stream-check.js';

const bump = <K>(counts: Map<K, number>, key: K, by = 1): void => {
  counts.set(key, (counts.get(key) ?? 0) + by);
};

/**
 * Everything the soak's clients counted, from the start: HTTP answers by status,
 * WebSocket closes by code, events received, and the faults each client found in its
 * own streams.
 */
export class SoakTally {
  readonly httpStatuses = new Map<number, number>();
  readonly closeCodes = new Map<number, number>();
  runsStarted = 0;
  watchers = 0;
  /** Clients following a run now. */
  watching = 0;
  eventsOut = 0;
  gaps = 0;
  duplicates = 0;
  afterTerminal = 0;
  /** Clients that gave up before their run's terminal event (a deadline passed). */
  unfinished = 0;
  resumes = 0;
  stalls = 0;
  /** Times the server ended a stream before its run's end (slow consumer, resync…): the client resumed. */
  serverCuts = 0;
  badInputs = 0;
  /** Bad inputs not refused as the error contract says (a 4xx with {"code","message"}, an error frame, a close code). */
  badInputsMishandled = 0;
  /** Requests the client could not make at all (connection refused or reset). */
  networkErrors = 0;
  /** Server log lines at error level or above: a client's mistake must log at warn at most. */
  serverErrorLogs = 0;
  readonly notes: string[] = [];

  /** A line of the server's JSON log. */
  serverLog(line: string): void {
    const level = (/"level":(\d+)/.exec(line) ?? [])[1];
    if (Number(level) >= 50) {
      this.serverErrorLogs++;
      this.note(`server logged: ${line.slice(0, 300)}`);
    }
  }

  status(code: number): void {
    bump(this.httpStatuses, code);
  }

  closed(code: number): void {
    bump(this.closeCodes, code);
  }

  /** A client is done with its run: its stream's faults join the totals. */
  finish(check: StreamCheck): void {
    this.eventsOut += check.received;
    this.gaps += check.faults.gaps;
    this.duplicates += check.faults.duplicates;
    this.afterTerminal += check.faults.afterTerminal;
    if (!check.finished) this.unfinished++;
  }

  /** Something worth a look, kept (a few) for the report. */
  note(text: string): void {
    if (this.notes.length < 20) this.notes.push(text);
  }

  get serverErrors(): number {
    return [...this.httpStatuses].filter(([code]) => code >= 500).reduce((sum, [, count]) => sum + count, 0);
  }

  /** HTTP answers by status and WebSocket closes by code, as plain objects. */
  counts(): { http: Record<string, number>; ws_close: Record<string, number> } {
    const sorted = (counts: Map<number, number>) => Object.fromEntries([...counts].sort(([a], [b]) => a - b).map(([code, count]) => [String(code), count]));
    return { http: sorted(this.httpStatuses), ws_close: sorted(this.closeCodes) };
  }
}

/** `fetch`, with the answer's status counted (a failure to connect counted apart). */
export async function countedFetch(tally: SoakTally, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    const response = await fetch(url, init);
    tally.status(response.status);
    return response;
  } catch (error) {
    if ((error as Error).name !== 'AbortError') tally.networkErrors++;
    throw error;
  }
}
