import { UnfoldError, isFinishedStatus, type CreateRunRequest, type RunResource, type RunList } from '@unfold/protocol';
import type { LocalRunner } from './local-runner.js';
import type { PipelineRegistry } from './pipeline-registry.js';
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
   * `creator.tenant`: the tenant of the principal that asked, stored with the run.
   * `creator.traceContext`: the W3C trace context of the creating request, the parent of the run's span.
   */
  async create(request: CreateRunRequest & { input: Record<string, unknown> }, creator: { tenant: string; traceContext?: Readonly<Record<string, string>> | undefined }): Promise<RunRecord> {
    const { traceContext } = creator;
    const pipeline = this.registry.get(request.pipeline);
    const input = parseInputOrReject(() => pipeline.parseInput(request.input));
    const record = newRunRecord({
      run_id: request.run_id ?? crypto.randomUUID(),
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

  async get(runId: string): Promise<RunResource> {
    const record = await this.store.runs.get(runId);
    if (!record) throw new UnfoldError('run_not_found', `no run with id "${runId}"`);
    return toRunResource(record, await this.store.events.lastSeq(runId));
  }

  async list(query: RunQuery): Promise<RunList> {
    const page = await this.store.runs.list(query);
    const runs = await Promise.all(page.runs.map(async (run) => toRunResource(run, await this.store.events.lastSeq(run.run_id))));
    return { runs, next_cursor: page.next_cursor };
  }

  async cancel(runId: string): Promise<RunResource> {
    const run = await this.get(runId);
    if (isFinishedStatus(run.status)) throw new UnfoldError('run_finished', `run "${runId}" has already ${run.status}`);
    await this.runner.cancel(runId);
    return this.get(runId);
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
