import type { EventDraft, RunResource, RunStatus, UnfoldEvent } from '@unfold/protocol';
import type { ApiKeyStore } from './api-key-store.js';
import { publicRunId } from './run-key.js';

/**
 * What the engine hands the log to append: the draft plus the envelope fields the
 * producer knows. The log assigns `seq`, `event_id` and `timestamp`.
 */
export type NewEvent = EventDraft & {
  pipeline: string;
  receipt_id?: string;
  document_id?: string;
  trace_id?: string;
  span_id?: string;
  metadata?: Record<string, unknown>;
};

export type AppendListener = (event: UnfoldEvent) => void;
export type AppendFailureListener = (error: unknown) => void;

/**
 * One ordered, append-only log per run. Runs are named by their key (run-key.ts): the run id
 * for the default tenant, `tenant/id` for any other; what the log hands out names the run
 * by its id. `seq` is gapless per run and assigned here.
 * `epoch` identifies this store's history: a reset or lost store has a new epoch, so a
 * client holding a position from the old one is told to resync instead of skipping.
 */
export interface EventLog {
  readonly epoch: string;
  /**
   * Appends to one run take their seqs in call order, so a producer may call again
   * before the previous promise settles. Listeners hear of an event once it is stored.
   */
  append(runId: string, event: NewEvent): Promise<UnfoldEvent>;
  /** Events with `seq > after`, oldest first, at most `limit`. */
  read(runId: string, after: number, limit: number): Promise<UnfoldEvent[]>;
  /** Seq of the newest event of the run, 0 when it has none. */
  lastSeq(runId: string): Promise<number>;
  /** Seq of the oldest event still held, 0 when none is held. */
  firstSeq(runId: string): Promise<number>;
  /**
   * Called synchronously after each append of this run, in seq order; `onFailed` when an
   * append of the run could not be stored. Returns an unsubscribe.
   */
  onAppend(runId: string, listener: AppendListener, onFailed?: AppendFailureListener): () => void;
}

export interface RunRecord {
  /** The run's key (run-key.ts); `toRunResource` and events give callers its id. */
  run_id: string;
  /** The tenant whose principal created the run. */
  tenant: string;
  pipeline: string;
  status: RunStatus;
  input: Record<string, unknown>;
  metadata: Record<string, unknown>;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  result?: unknown;
  error: { code: string; message: string } | null;
  /**
   * The W3C trace context (`traceparent`, `tracestate`) of the request that created the
   * run: the run's span is its child, on whichever process or worker executes it.
   */
  trace_context?: Record<string, string>;
}

export interface RunQuery {
  /** Only this tenant's runs. */
  tenant: string;
  status?: RunStatus | undefined;
  pipeline?: string | undefined;
  limit: number;
  /** Opaque cursor returned by a previous page. */
  cursor?: string | undefined;
}

export interface RunPage {
  runs: RunRecord[];
  next_cursor: string | null;
}

export type RunPatch = Partial<Pick<RunRecord, 'status' | 'started_at' | 'finished_at' | 'result' | 'error'>>;

export interface RunStore {
  /** Creates the run; throws UnfoldError `run_exists` if the id is taken. */
  create(record: RunRecord): Promise<void>;
  get(runId: string): Promise<RunRecord | undefined>;
  list(query: RunQuery): Promise<RunPage>;
  update(runId: string, patch: RunPatch): Promise<void>;
  /** Runs left `queued` or `running` by a process that stopped. */
  unfinished(): Promise<RunRecord[]>;
  /**
   * Finished runs whose log does not end with a terminal event: a process stopped between
   * writing a run's final status and committing its last events.
   */
  unterminated(): Promise<RunRecord[]>;
}

export interface RetentionPolicy {
  /** Finished runs older than this are deleted with their events. */
  maxAgeMs: number;
  /** At most this many runs are kept; the oldest finished ones go first. */
  maxRuns: number;
}

export interface Store {
  readonly kind: string;
  readonly events: EventLog;
  readonly runs: RunStore;
  /** API keys and the tenants they belong to. */
  readonly keys: ApiKeyStore;
  /** Deletes runs (and their events) beyond the policy; returns the ids deleted. */
  applyRetention(policy: RetentionPolicy, now?: Date): Promise<string[]>;
  /** Cheap liveness check for `/readyz`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function toRunResource(record: RunRecord, lastSeq: number): RunResource {
  return {
    run_id: publicRunId(record.run_id),
    pipeline: record.pipeline,
    status: record.status,
    created_at: record.created_at,
    started_at: record.started_at,
    finished_at: record.finished_at,
    last_seq: lastSeq,
    ...(record.result === undefined ? {} : { result: record.result }),
    error: record.error,
    metadata: record.metadata,
  };
}

/** A new run's record, queued, as the run service writes it. */
export function newRunRecord(fields: Pick<RunRecord, 'run_id' | 'tenant' | 'pipeline' | 'input'> & Partial<Pick<RunRecord, 'metadata' | 'trace_context'>>): RunRecord {
  return {
    ...fields,
    metadata: fields.metadata ?? {},
    status: 'queued',
    created_at: new Date().toISOString(),
    started_at: null,
    finished_at: null,
    error: null,
  };
}
