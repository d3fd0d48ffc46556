import type { z } from 'zod';
import type { EventSchemas, Tool } from './tool.js';

/** A pipeline step: one tool, or a group of tools run concurrently. */
export type Step<Input> = Tool<Input> | { readonly parallel: readonly Tool<Input>[] };

export interface Pipeline<Input = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly steps: readonly Step<Input>[];
  /** The input's schema, for `GET /v1/pipelines` and the OpenAPI document (JSON Schema of its input side). */
  readonly inputSchema?: z.ZodType;
  /** The custom events its tools may emit (`data-<name>` → payload schema); anything else is `invalid_event`. */
  readonly events?: EventSchemas;
  /**
   * Checks and normalises the input before the run is created, so bad input is
   * rejected up front (422 `invalid_input`) and never leaves a half-created run.
   */
  parseInput(input: Record<string, unknown>): Input;
  /**
   * The parsed input as plain JSON, which is what the run stores (never the raw request:
   * what validation dropped is not kept) and parses again when it executes. By default the
   * parsed input itself, which must then be plain JSON in the shape `parseInput` reads.
   * Either way `parseInput(storedInput(input))` must give `input` back.
   */
  storedInput?(input: Input): Record<string, unknown>;
  /** The run's result from the tools' outputs; by default the outputs themselves. */
  result?(outputs: Readonly<Record<string, unknown>>): unknown;
  /** Releases what the pipeline holds across runs (worker pools, connections). */
  close?(): Promise<void>;
}

/**
 * A pipeline of any input type. The input type is invariant (tools read it, `parseInput`
 * makes it), so a registry of mixed pipelines cannot name one; each run pairs a pipeline
 * with the input its own `parseInput` produced.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type AnyPipeline = Pipeline<any>;

export function isParallelStep<Input>(step: Step<Input>): step is { readonly parallel: readonly Tool<Input>[] } {
  return 'parallel' in step;
}

export function toolsOf<Input>(pipeline: Pipeline<Input>): Tool<Input>[] {
  return pipeline.steps.flatMap((step) => (isParallelStep(step) ? [...step.parallel] : [step]));
}
