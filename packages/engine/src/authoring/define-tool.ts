import { UnfoldError } from '@unfold/protocol';
import type { z } from 'zod';
import type { EventSchemas, RetryPolicy, Tool, ToolContext } from '../tool.js';

/** How often to try again, and how long to wait first (doubling, jittered, up to `maxDelayMs`). */
export interface RetryOptions {
  retries: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Which failures another try may cure; by default any but an `UnfoldError` not marked transient. */
  retryable?(error: unknown): boolean;
}

export interface ToolDefinition<Name extends string, Input, Output, Events extends EventSchemas> {
  /** Unique within its pipeline: events, spans and `ctx.outputs` name the tool by it. */
  name: Name;
  /** The pipeline's input schema, for `ctx.input`'s type (the pipeline parses the input once). */
  input?: z.ZodType<Input>;
  /** Custom events this tool emits (`data-<name>` → payload schema); its pipeline declares them too. */
  events?: Events;
  /** Each attempt is aborted with `tool_timeout` after this long. */
  timeoutMs?: number;
  /**
   * Tries again after a failure: any thrown error, a timeout included, except an
   * `UnfoldError` not marked transient (a coded refusal the next try would repeat).
   */
  retries?: number | RetryOptions;
  /** Its failure is reported (`tool_failed` with `optional: true`) and the run goes on. */
  optional?: boolean;
  /** Return a reason to skip the tool (a `tool_skipped` event) instead of running it. */
  skip?(ctx: ToolContext<Input, Events>): string | undefined;
  /** The tool's work; what it returns is its output (`ctx.outputs[name]` for later tools). */
  run(ctx: ToolContext<Input, Events>): Output | Promise<Output>;
}

/** A tool made by `defineTool`: an engine `Tool` that also carries its name, output and events as types. */
export interface DefinedTool<Name extends string = string, Input = unknown, Output = unknown, Events extends EventSchemas = {}> extends Tool<Input, Output> {
  readonly name: Name;
  readonly events: Events;
}

const DEFAULT_RETRY_DELAY_MS = 200;

/** A plain thrown error may pass on a second try; a coded one is retried only when it says it is transient. */
const worthRetrying = (error: unknown): boolean => !UnfoldError.isInstance(error) || error.transient;

function retryPolicy(retries: number | RetryOptions): RetryPolicy {
  const options = typeof retries === 'number' ? { retries } : retries;
  if (!Number.isInteger(options.retries) || options.retries < 0) throw new TypeError(`retries must be a whole number of at least 0, got ${options.retries}`);
  return {
    attempts: options.retries + 1,
    initialDelayMs: options.initialDelayMs ?? DEFAULT_RETRY_DELAY_MS,
    ...(options.maxDelayMs === undefined ? {} : { maxDelayMs: options.maxDelayMs }),
    retryable: options.retryable ?? worthRetrying,
  };
}

/**
 * A step of a pipeline. The engine streams its start, progress, retries and end, traces it
 * as a span, enforces its timeout and retries it; the tool only does its work:
 *
 * ```ts
 * const total = defineTool({ name: 'total', input: invoiceInput, events: { 'data-total': z.object({ amount: z.number() }) },
 *   async run(ctx) { ctx.progress(50, 'adding'); const amount = sum(ctx.input.lines); ctx.emit('data-total', { amount }); return amount; } });
 * ```
 */
export function defineTool<const Name extends string, Input = unknown, Output = unknown, const Events extends EventSchemas = {}>(
  definition: ToolDefinition<Name, Input, Output, Events>,
): DefinedTool<Name, Input, Awaited<Output>, Events> {
  const { name, timeoutMs, retries, optional, skip, run } = definition;
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError('a tool needs a name');
  if (typeof run !== 'function') throw new TypeError(`tool ${name} needs a run(ctx) function`);
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new TypeError(`tool ${name}: timeoutMs must be a positive number of milliseconds`);
  return {
    name,
    events: definition.events ?? ({} as Events),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(retries === undefined ? {} : { retry: retryPolicy(retries) }),
    ...(optional === undefined ? {} : { optional }),
    ...(skip ? { skip: (ctx: ToolContext<Input>) => skip(ctx as ToolContext<Input, Events>) } : {}),
    run: async (ctx: ToolContext<Input>): Promise<Awaited<Output>> => await run(ctx as ToolContext<Input, Events>),
  };
}
