import { CUSTOM_EVENT_TYPE_PATTERN, UnfoldError, pipelineNameSchema, type PipelineContract } from '@unfold/protocol';
import { z } from 'zod';
import type { Pipeline, Step } from '../pipeline.js';
import type { EventSchemas, Tool } from '../tool.js';

// biome-ignore lint/suspicious/noExplicitAny: a step may be any tool; the pipeline's input type is checked where it is used
type AnyTool = Tool<any, any> & { readonly events?: EventSchemas };
/** One tool, or tools side by side in an inner array: they run concurrently. */
export type StepDefinition = AnyTool | readonly AnyTool[];

type ToolsIn<S> = S extends readonly (infer T)[] ? T : S;
type EventsOfTool<T> = T extends { readonly events: infer E extends EventSchemas } ? E : {};
type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;
type OutputOfTool<T> = T extends Tool<never, infer Output> ? Output : unknown;
type OutputOfStep<S> = S extends readonly (infer T)[] ? { [K in T as K extends { readonly name: infer N extends string } ? N : never]: OutputOfTool<K> } : OutputOfTool<S>;
type LastOf<S extends readonly unknown[]> = S extends readonly [...unknown[], infer Last] ? Last : unknown;

/** Every custom event a pipeline may emit: its own declarations and its tools'. */
export type EventsOf<Steps extends readonly unknown[], Events extends EventSchemas> = Events & UnionToIntersection<EventsOfTool<ToolsIn<Steps[number]>>>;
/** A run's result when the pipeline names no `result`: the last step's output (a parallel group's by tool name). */
export type LastOutput<Steps extends readonly unknown[]> = OutputOfStep<LastOf<Steps>>;
/** The `data` of each custom event as a client reads it. */
export type EventData<Events extends EventSchemas> = { [K in keyof Events]: z.output<NonNullable<Events[K]>> };

export interface PipelineDefinition<Name extends string, Schema extends z.ZodType, Events extends EventSchemas, Steps extends readonly StepDefinition[], Result> {
  /** What runs name: `POST /v1/runs {"pipeline": name}`; lowercase letters, digits, `_` and `-`. */
  name: Name;
  description: string;
  /** Checks the input before the run is created: a refusal is 422 `invalid_input` and no run. Its output must be JSON; the run stores it and parses it again when it executes. */
  input: Schema;
  /** Custom events (`data-<name>` → payload schema) beside those the tools declare. */
  events?: Events;
  /** Tools in order; an inner array runs its tools concurrently. */
  steps: Steps;
  /** The run's result from the tools' outputs; by default the last step's output. */
  result?(outputs: Readonly<Record<string, unknown>>): Result;
  /** Releases what the pipeline holds across runs (worker pools, connections) when the server stops. */
  close?(): Promise<void>;
}

/** A pipeline made by `definePipeline`: what the engine runs, and the types a typed client reads. */
export interface DefinedPipeline<Name extends string = string, InputIn = unknown, Input = unknown, Result = unknown, Events extends EventSchemas = EventSchemas>
  extends Pipeline<Input>,
    PipelineContract<Name, InputIn, Result, EventData<Events>> {
  readonly name: Name;
  readonly inputSchema: z.ZodType;
  readonly events: Events;
}

/**
 * A document pipeline: a validated input, tools run in order (an inner array in parallel),
 * and custom events its tools may stream. Register it with `unfold serve --pipelines <module>`
 * (docs/pipelines.md):
 *
 * ```ts
 * export default definePipeline({ name: 'invoice', description: 'invoice → total', input: z.object({ lines: z.array(z.number()) }),
 *   events: { 'data-total': z.object({ amount: z.number() }) }, steps: [parse, [total, vendor], check] });
 * ```
 * Throws a TypeError naming the problem when the definition cannot run (no steps, a tool twice, a bad event name).
 */
export function definePipeline<
  const Name extends string,
  Schema extends z.ZodType,
  const Steps extends readonly StepDefinition[],
  const Events extends EventSchemas = {},
  Result = LastOutput<Steps>,
>(definition: PipelineDefinition<Name, Schema, Events, Steps, Result>): DefinedPipeline<Name, z.input<Schema>, z.output<Schema>, Result, EventsOf<Steps, Events>> {
  const { name, description, input, result, close } = definition;
  const named = pipelineNameSchema.safeParse(name);
  if (!named.success) throw new TypeError(`pipeline ${JSON.stringify(name)}: ${named.error.issues[0]?.message ?? 'invalid name'}`);
  const problem = (message: string) => new TypeError(`pipeline ${name}: ${message}`);
  if (typeof description !== 'string') throw problem('needs a description');
  if (!(input instanceof z.ZodType) && typeof (input as { safeParse?: unknown } | undefined)?.safeParse !== 'function') throw problem('input must be a zod schema');
  const steps = checkedSteps(definition.steps, problem);
  const tools = steps.flatMap((step) => ('parallel' in step ? [...step.parallel] : [step]));
  const events = mergedEvents(definition.events ?? {}, tools, problem);
  const last = steps.at(-1) as Step<unknown>;
  const lastOutput = (outputs: Readonly<Record<string, unknown>>): unknown =>
    'parallel' in last ? Object.fromEntries(last.parallel.map((tool) => [tool.name, outputs[tool.name]])) : outputs[last.name];

  return {
    name,
    description,
    inputSchema: input,
    events: events as EventsOf<Steps, Events>,
    steps: steps as Step<z.output<Schema>>[],
    parseInput(raw) {
      const parsed = input.safeParse(raw);
      if (!parsed.success) throw new UnfoldError('invalid_input', `${name} input: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`);
      return parsed.data as z.output<Schema>;
    },
    storedInput: (parsed) => parsed as Record<string, unknown>,
    result: result ?? lastOutput,
    ...(close ? { close } : {}),
  };
}

function checkedSteps(steps: readonly StepDefinition[], problem: (message: string) => TypeError): Step<unknown>[] {
  if (!Array.isArray(steps) || steps.length === 0) throw problem('needs at least one step');
  const names = new Set<string>();
  const tool = (candidate: unknown, where: string): AnyTool => {
    const value = candidate as Partial<AnyTool> | undefined;
    if (typeof value?.name !== 'string' || typeof value.run !== 'function') throw problem(`${where} is not a tool (make it with defineTool)`);
    if (names.has(value.name)) throw problem(`two tools are named ${value.name}; a tool's name keys its output and events`);
    names.add(value.name);
    return value as AnyTool;
  };
  return steps.map((step, index) => {
    if (!Array.isArray(step)) return tool(step, `step ${index + 1}`);
    if (step.length === 0) throw problem(`step ${index + 1} is an empty parallel group`);
    return { parallel: step.map((member, inner) => tool(member, `step ${index + 1}.${inner + 1}`)) };
  });
}

/** The pipeline's events and its tools': one schema per type, so a type cannot mean two things. */
function mergedEvents(own: EventSchemas, tools: readonly AnyTool[], problem: (message: string) => TypeError): EventSchemas {
  const merged: Record<string, z.ZodType> = {};
  const add = (declared: EventSchemas | undefined, by: string) => {
    for (const [type, schema] of Object.entries(declared ?? {})) {
      if (!CUSTOM_EVENT_TYPE_PATTERN.test(type)) throw problem(`${by} declares event ${JSON.stringify(type)}; a custom event is "data-" and a name of letters, digits, "_" or "-"`);
      if (typeof (schema as { safeParse?: unknown } | undefined)?.safeParse !== 'function') throw problem(`${by} declares ${type} without a zod schema`);
      const existing = merged[type];
      if (existing && existing !== schema) throw problem(`${type} is declared twice with different schemas (the second by ${by}); declare it once and share the schema`);
      merged[type] = schema as z.ZodType;
    }
  };
  add(own, 'the pipeline');
  for (const tool of tools) add(tool.events, `tool ${tool.name}`);
  return merged;
}
