import { UnfoldError } from '@unfold/protocol';
import { toolsOf, type AnyPipeline } from './pipeline.js';

export interface PipelineInfo {
  name: string;
  description: string;
  tools: string[];
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
    }));
  }
}
