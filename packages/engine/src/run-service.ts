import { UnfoldError, isFinishedStatus, type CreateRunRequest, type RunResource, type RunList } from '@unfold/protocol';
import type { LocalRunner } from './local-runner.js';
import type { PipelineRegistry } from './pipeline-registry.js';
import { runKey } from './store/run-key.js';
import { newRunRecord, toRunResource, type RunQuery, type RunRecord, type Store } from './store/store.js';

/**
 * The one way runs are created, read and cancelled, shared by the HTTP gateway and the
 * CLI. Everything that can reject a run is checked before the record is written, so a
 * rejected request never leaves a half-created run behind.
 */
export class RunService {
  constructor(
    private readonly store: Store,
    private readonly registry: PipelineRegistry,
    private readonly runner: LocalRunner,
    /** Told of each run once its record is written (a live runs list). */
    private readonly onCreated?: (run: RunRecord) => void,
  ) {}

  /**
   * `creator.tenant`: the tenant of the principal that asked, stored with the run; the run id
   * (the caller's or a new UUID) is scoped to it (run-key.ts), so `run_exists` only ever
   * tells a tenant about its own runs.
   * `creator.traceContext`: the W3C trace context of the creating request, the parent of the run's span.
   */
  async create(request: CreateRunRequest & { input: Record<string, unknown> }, creator: { tenant: string; traceContext?: Readonly<Record<string, string>> | undefined }): Promise<RunRecord> {
    const { traceContext } = creator;
    const pipeline = this.registry.get(request.pipeline);
    const input = parseInputOrReject(() => pipeline.parseInput(request.input));
    const record = newRunRecord({
      run_id: runKey(creator.tenant, request.run_id ?? crypto.randomUUID()),
      tenant: creator.tenant,
      pipeline: pipeline.name,
      input: pipeline.storedInput ? pipeline.storedInput(input) : input,
      metadata: request.metadata ?? {},
      ...(traceContext && Object.keys(traceContext).length > 0 ? { trace_context: traceContext } : {}),
    });
    const release = this.runner.admit();
    try {
      await this.store.runs.create(record);
      this.onCreated?.(record);
      this.runner.submit(record);
    } finally {
      release();
    }
    return record;
  }

  /** The tenant's run; another tenant's is `run_not_found`, exactly as a run that does not exist. */
  async get(tenant: string, runId: string): Promise<RunResource> {
    const key = runKey(tenant, runId);
    const record = await this.store.runs.get(key);
    if (!record) throw new UnfoldError('run_not_found', `no run with id "${runId}"`);
    return toRunResource(record, await this.store.events.lastSeq(key));
  }

  /** The tenant's runs (`query.tenant`), newest first. */
  async list(query: RunQuery): Promise<RunList> {
    const page = await this.store.runs.list(query);
    const runs = await Promise.all(page.runs.map(async (run) => toRunResource(run, await this.store.events.lastSeq(run.run_id))));
    return { runs, next_cursor: page.next_cursor };
  }

  async cancel(tenant: string, runId: string): Promise<RunResource> {
    const run = await this.get(tenant, runId);
    if (isFinishedStatus(run.status)) throw new UnfoldError('run_finished', `run "${runId}" has already ${run.status}`);
    await this.runner.cancel(runKey(tenant, runId));
    return this.get(tenant, runId);
  }
}

function parseInputOrReject<Input>(parse: () => Input): Input {
  try {
    return parse();
  } catch (error) {
    if (UnfoldError.isInstance(error)) throw error;
    throw new UnfoldError('invalid_input', error instanceof Error ? error.message : String(error), { cause: error });
  }
}
