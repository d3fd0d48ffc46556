import type { Context } from '@opentelemetry/api';
import type { CustomEventType, EventPayload, EventType } from '@unfold/protocol';
import type { z } from 'zod';

/** Result events a tool may emit; lifecycle and tool events belong to the engine. */
export const RESULT_EVENT_TYPES = [
  'receipt_words',
  'field_labeled',
  'line_item_found',
  'confidence_update',
  'validation_result',
  'extraction_token',
  'extraction_field',
  'research_result',
  'record_created',
] as const satisfies readonly EventType[];
export type ResultEventType = (typeof RESULT_EVENT_TYPES)[number];

/** A pipeline's (or a tool's) custom events: each `data-<name>` type with the schema of its payload. */
export type EventSchemas = { readonly [T in CustomEventType]?: z.ZodType };

export interface ToolContext<Input = Record<string, unknown>, Events extends EventSchemas = EventSchemas> {
  /** The run's key (run-key.ts): unique across tenants, so it can key what a tool writes elsewhere (a CRM record). */
  readonly runId: string;
  readonly pipeline: string;
  readonly toolName: string;
  /** The run's input as accepted by the pipeline. */
  readonly input: Input;
  /** Outputs of the tools that finished before this one, by tool name. */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Aborted on cancel and on this tool's timeout; pass it to every awaited call. */
  readonly signal: AbortSignal;
  /** 1 on the first try, 2 on the first retry … */
  readonly attempt: number;
  /** The OpenTelemetry context of this tool's span: the parent for spans the tool starts (a model call). */
  readonly traceContext: Context;
  /** Reports progress, 0–100. Repeated identical values are dropped. */
  progress(percent: number, message?: string): void;
  /**
   * Streams a result event, or a custom event the pipeline declared (`data-<name>`) with a
   * payload its schema accepts. Anything else throws `invalid_event` and fails the run.
   */
  emit<T extends ResultEventType>(type: T, payload: EventPayload<T>): void;
  emit<T extends keyof Events & CustomEventType>(type: T, payload: z.input<NonNullable<Events[T]>>): void;
}

export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  /** Delay before the first retry; doubles each time, with jitter, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs?: number;
  /** Which failures are worth another attempt; by default those marked transient. */
  retryable?(error: unknown): boolean;
}

export interface Tool<Input = Record<string, unknown>, Output = unknown> {
  readonly name: string;
  /** Aborts the tool with `tool_timeout` after this long (per attempt). */
  readonly timeoutMs?: number;
  /** Retries apply only to errors marked transient (`UnfoldError` with `transient: true`). */
  readonly retry?: RetryPolicy;
  /** An optional tool's failure is reported but does not fail the run. */
  readonly optional?: boolean;
  /** Returning a reason skips the tool (a `tool_skipped` event) instead of running it. */
  skip?(context: ToolContext<Input>): string | undefined;
  run(context: ToolContext<Input>): Promise<Output>;
}
