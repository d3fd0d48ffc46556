import type { PipelineContract, UnfoldEvent } from '@unfold/protocol';
import type { AnyPipeline } from '../pipeline.js';
import { runInMemory } from '../run-in-memory.js';

type ResultOf<P> = P extends PipelineContract ? NonNullable<P['~types']>['result'] : unknown;
type InputOf<P> = P extends PipelineContract ? NonNullable<P['~types']>['input'] : Record<string, unknown>;

export interface PipelineRun<Result> {
  status: 'completed' | 'failed' | 'cancelled';
  /** The run's result when it completed. */
  result: Result | undefined;
  /** The code and message it failed or was cancelled with. */
  error: { code: string; message: string } | null;
  /** Every event of the run, in order, as a client would receive them. */
  events: UnfoldEvent[];
}

/**
 * Runs a pipeline once through the engine a server runs, on a store in memory, and returns
 * its outcome and events: what a pipeline's own tests call (`unfold init`'s starter does).
 * Input the pipeline refuses throws its `invalid_input` error, as `POST /v1/runs` answers 422.
 */
export async function runPipeline<P extends AnyPipeline>(pipeline: P, input: InputOf<P>): Promise<PipelineRun<ResultOf<P>>> {
  const { store, outcome } = await runInMemory(pipeline, input as Record<string, unknown>);
  const record = await store.runs.get('run');
  const events: UnfoldEvent[] = [];
  for (let page = await store.events.read('run', 0, 1_000); page.length > 0; page = await store.events.read('run', page.at(-1)?.seq ?? 0, 1_000)) events.push(...page);
  return { status: outcome.status, result: record?.result as ResultOf<P> | undefined, error: record?.error ?? null, events };
}
