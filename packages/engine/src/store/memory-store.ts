import { UnfoldError, isFinishedStatus, isTerminalEventType, type UnfoldEvent } from '@unfold/protocol';
import { AppendListeners } from './append-listeners.js';
import { memoryApiKeys } from './memory-api-keys.js';
import { buildEvent, decodeCursor, encodeCursor, newerFirst, retentionVictims } from './store-rules.js';
import { publicRunId } from './run-key.js';
import type { EventLog, NewEvent, RetentionPolicy, RunPage, RunPatch, RunQuery, RunRecord, RunStore, Store } from './store.js';

/** Everything in memory: for tests and for `UNFOLD_STORE=memory`. Nothing survives a restart. */
export function createMemoryStore(): Store {
  const events = new Map<string, UnfoldEvent[]>();
  const runs = new Map<string, RunRecord>();
  const listeners = new AppendListeners();

  const log: EventLog = {
    epoch: crypto.randomUUID(),
    async append(runId: string, event: NewEvent) {
      let list = events.get(runId);
      if (!list) {
        list = [];
        events.set(runId, list);
      }
      const stored = buildEvent(runId, (list.at(-1)?.seq ?? 0) + 1, event);
      list.push(stored);
      listeners.notify(runId, stored);
      return stored;
    },
    async read(runId, after, limit) {
      const list = events.get(runId) ?? [];
      // seq is gapless from the first held event, so the position maps to an index.
      const first = list[0]?.seq ?? 1;
      const start = Math.max(0, after + 1 - first);
      return list.slice(start, start + limit);
    },
    async lastSeq(runId) {
      return events.get(runId)?.at(-1)?.seq ?? 0;
    },
    async firstSeq(runId) {
      return events.get(runId)?.[0]?.seq ?? 0;
    },
    onAppend: (runId, listener, onFailed) => listeners.add(runId, listener, onFailed),
  };

  const runStore: RunStore = {
    async create(record) {
      if (runs.has(record.run_id)) throw new UnfoldError('run_exists', `a run with id "${publicRunId(record.run_id)}" already exists`);
      runs.set(record.run_id, structuredClone(record));
    },
    async get(runId) {
      const record = runs.get(runId);
      return record && structuredClone(record);
    },
    async list(query: RunQuery): Promise<RunPage> {
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const matching = [...runs.values()]
        .filter((run) => run.tenant === query.tenant && (query.status === undefined || run.status === query.status) && (query.pipeline === undefined || run.pipeline === query.pipeline))
        .sort(newerFirst)
        .filter((run) => cursor === undefined || newerFirst(cursor, run) < 0);
      const page = matching.slice(0, query.limit);
      const last = page.at(-1);
      return { runs: page.map((run) => structuredClone(run)), next_cursor: matching.length > query.limit && last ? encodeCursor(last) : null };
    },
    async update(runId, patch: RunPatch) {
      const record = runs.get(runId);
      if (record) Object.assign(record, structuredClone(patch));
    },
    async unfinished() {
      return [...runs.values()].filter((run) => !isFinishedStatus(run.status)).map((run) => structuredClone(run));
    },
    async unterminated() {
      // Stryker disable next-line StringLiteral: equivalent, no string but a terminal type is terminal
      const endsWithTerminal = (runId: string) => isTerminalEventType(events.get(runId)?.at(-1)?.event_type ?? '');
      return [...runs.values()].filter((run) => isFinishedStatus(run.status) && !endsWithTerminal(run.run_id)).map((run) => structuredClone(run));
    },
  };

  return {
    kind: 'memory',
    events: log,
    runs: runStore,
    keys: memoryApiKeys(),
    async applyRetention(policy: RetentionPolicy, now = new Date()) {
      const victims = retentionVictims([...runs.values()], policy, now);
      for (const runId of victims) {
        runs.delete(runId);
        events.delete(runId);
      }
      return victims;
    },
    async ping() {},
    async close() {},
  };
}
