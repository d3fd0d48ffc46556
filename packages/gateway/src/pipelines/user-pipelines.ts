import type { AnyPipeline, PipelineRegistry } from '@unfold/engine';
import { UnfoldError } from '@unfold/protocol';
import { loadPipelineModules, type LoadedModule } from './pipeline-modules.js';

/**
 * The pipelines a server loaded from the user's modules, beside the built-in ones: loaded
 * once at start, and again on `reload` (what `unfold dev` calls when a file changes).
 */
export class UserPipelines {
  private loaded: AnyPipeline[] = [];

  constructor(
    private readonly registry: PipelineRegistry,
    /** The modules, as absolute paths. */
    readonly files: readonly string[],
  ) {}

  /** The names of the pipelines loaded now. */
  get names(): string[] {
    return this.loaded.map((pipeline) => pipeline.name);
  }

  /**
   * Imports the modules afresh and puts their pipelines in the place of the last ones, all
   * or nothing: a module that no longer loads, or a pipeline that takes a built-in's name,
   * throws `invalid_pipeline_module` and leaves the pipelines that were there serving.
   * Runs in flight finish on the version they started with.
   */
  async reload(): Promise<string[]> {
    return this.install(await loadPipelineModules(this.files));
  }

  /** Puts the pipelines of modules already loaded in the place of the last ones; throws, changing nothing, as `reload` does. */
  async install(modules: readonly LoadedModule[]): Promise<string[]> {
    const next = modules.flatMap((module) => module.pipelines);
    try {
      await this.registry.replace(this.loaded, next);
    } catch (error) {
      const source = (name: string) => modules.find((module) => module.pipelines.some((pipeline) => pipeline.name === name))?.file;
      const name = /pipeline (\S+) is registered twice/.exec((error as Error).message)?.[1] ?? '';
      throw new UnfoldError('invalid_pipeline_module', `cannot load pipelines from ${source(name) ?? this.files.join(', ')}: pipeline ${name} takes a name that is already registered`, { cause: error });
    }
    this.loaded = next;
    return this.names;
  }
}
