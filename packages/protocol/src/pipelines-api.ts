import { z } from 'zod';
import type { CustomEventType } from './events.js';

/** One registered pipeline as `GET /v1/pipelines` describes it. */
export const pipelineInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  /** Its tools in step order (a parallel group's tools side by side). */
  tools: z.array(z.string()),
  /** The JSON Schema of the input `POST /v1/runs` takes for it. */
  input_schema: z.record(z.string(), z.unknown()),
  /** Its custom event types, each with the JSON Schema of the event's `data`. */
  events: z.record(z.string(), z.record(z.string(), z.unknown())),
});
export type PipelineInfo = z.output<typeof pipelineInfoSchema>;

export const pipelineListSchema = z.object({ pipelines: z.array(pipelineInfoSchema) });
export type PipelineList = z.output<typeof pipelineListSchema>;

/**
 * What a typed client knows of a pipeline, at compile time only: its name, the input it
 * takes, the result it ends with and the `data` of each custom event. `definePipeline`
 * returns a value of this shape, so `createClient<typeof pipelines>()` reads the types off
 * the user's own module; the `~types` member never exists at run time.
 */
export interface PipelineContract<
  Name extends string = string,
  Input = unknown,
  Result = unknown,
  Events extends { [T in CustomEventType]?: unknown } = {},
> {
  readonly name: Name;
  readonly '~types'?: { readonly input: Input; readonly result: Result; readonly events: Events };
}
