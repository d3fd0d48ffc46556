import { isFinishedStatus, type UnfoldEvent } from '@unfold/protocol';
import { publicRunId } from './run-key.js';
import type { NewEvent, RetentionPolicy, RunRecord } from './store.js';

/** The envelope the log adds on append; the same for every store. Events name the run as its tenant knows it, never by its key. */
export function buildEvent(key: string, seq: number, event: NewEvent): UnfoldEvent {
  const runId = publicRunId(key);
  return { event_id: `${runId}:${seq}`, seq, timestamp: new Date().toISOString(), run_id: runId, ...event, metadata: event.metadata ?? {} } as UnfoldEvent;
}

/** Newest first; run id breaks ties so pages are stable. */
export function newerFirst(a: Pick<RunRecord, 'created_at' | 'run_id'>, b: Pick<RunRecord, 'created_at' | 'run_id'>): number {
  // Stryker disable next-line EqualityOperator: equivalent, the times differ here, so < and <= agree
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return a.run_id < b.run_id ? 1 : a.run_id > b.run_id ? -1 : 0;
}

export function encodeCursor(run: Pick<RunRecord, 'created_at' | 'run_id'>): string {
  return Buffer.from(JSON.stringify([run.created_at, run.run_id])).toString('base64url');
}

export function decodeCursor(cursor: string): Pick<RunRecord, 'created_at' | 'run_id'> | undefined {
  try {
    const [created_at, run_id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    return typeof created_at === 'string' && typeof run_id === 'string' ? { created_at, run_id } : undefined;
  } catch {
    return undefined;
  }
}

/** Finished runs past the age limit, then the oldest finished runs beyond the count. */
export function retentionVictims(runs: readonly RunRecord[], policy: RetentionPolicy, now: Date): string[] {
  const cutoff = new Date(now.getTime() - policy.maxAgeMs).toISOString();
  const victims = new Set<string>();
  const finished = runs.filter((run) => isFinishedStatus(run.status));
  for (const run of finished) if (run.finished_at !== null && run.finished_at < cutoff) victims.add(run.run_id);
  const excess = runs.length - victims.size - policy.maxRuns;
  // Stryker disable next-line EqualityOperator: equivalent, with an excess of 0 the slice below takes nothing
  if (excess > 0) {
    const oldestFirst = finished.filter((run) => !victims.has(run.run_id)).sort((a, b) => newerFirst(b, a));
    for (const run of oldestFirst.slice(0, excess)) victims.add(run.run_id);
  }
  return [...victims];
}
