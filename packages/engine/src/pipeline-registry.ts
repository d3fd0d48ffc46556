import { UnfoldError, type PipelineInfo } from '@unfold/protocol';
import { z } from 'zod';
import { toolsOf, type AnyPipeline } from './pipeline.js';

export type { PipelineInfo } from '@unfold/protocol';

/** A schema as JSON Schema; a schema zod cannot describe (or not zod at all) is described as anything, never a failure to list. */
function jsonSchemaOf(schema: z.ZodType | undefined, io: 'input' | 'output'): Record<string, unknown> {
  if (!schema) return {};
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export class PipelineRegistry {
  private readonly pipelines = new Map<string, AnyPipeline>();

  constructor(pipelines: readonly AnyPipeline[] = []) {
    for (const pipeline of pipelines) this.register(pipeline);
  }

  register(pipeline: AnyPipeline): this {
    if (this.pipelines.has(pipeline.name)) throw new Error(`pipeline ${pipeline.name} is registered twice`);
    this.pipelines.set(pipeline.name, pipeline);
    return this;
  }

  /**
   * Puts `next` in the place of `previous` in one step (a reloaded module's pipelines):
   * a run started from now on gets the new version, one in flight keeps the one it began
   * with. Throws, changing nothing, when a new name is taken by a pipeline not replaced.
   * The replaced pipelines are closed.
   */
  async replace(previous: readonly AnyPipeline[], next: readonly AnyPipeline[]): Promise<void> {
    const leaving = new Set(previous.map((pipeline) => pipeline.name));
    const names = new Set<string>();
    for (const pipeline of next) {
      const taken = this.pipelines.has(pipeline.name) && !leaving.has(pipeline.name);
      if (taken || names.has(pipeline.name)) throw new Error(`pipeline ${pipeline.name} is registered twice`);
      names.add(pipeline.name);
    }
    for (const name of leaving) this.pipelines.delete(name);
    for (const pipeline of next) this.pipelines.set(pipeline.name, pipeline);
    await Promise.allSettled(previous.map((pipeline) => pipeline.close?.()));
  }

  /** Throws `unknown_pipeline` naming the pipelines that do exist. */
  get(name: string): AnyPipeline {
    const pipeline = this.pipelines.get(name);
    if (!pipeline) {
      throw new UnfoldError('unknown_pipeline', `no pipeline named "${name}"; known: ${[...this.pipelines.keys()].join(', ')}`);
    }
    return pipeline;
  }

  /** Closes every pipeline that holds resources; one failing does not stop the others. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.pipelines.values()].map((pipeline) => pipeline.close?.()));
  }

  list(): PipelineInfo[] {
    return [...this.pipelines.values()].map((pipeline) => ({
      name: pipeline.name,
      description: pipeline.description,
      tools: toolsOf(pipeline).map((tool) => tool.name),
      input_schema: jsonSchemaOf(pipeline.inputSchema, 'input'),
      events: Object.fromEntries(Object.entries(pipeline.events ?? {}).map(([type, schema]) => [type, jsonSchemaOf(schema, 'output')])),
    }));
  }
}
