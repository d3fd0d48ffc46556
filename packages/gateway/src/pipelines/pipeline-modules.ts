import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as engine from '@unfold/engine';
import type { AnyPipeline } from '@unfold/engine';
import * as pipelines from '@unfold/pipelines';
import * as protocol from '@unfold/protocol';
import { UnfoldError } from '@unfold/protocol';
import { createJiti } from 'jiti';
import * as zod from 'zod';

/** The files `unfold serve` looks for at the project root when no module is named. */
export const CONFIG_FILES = ['unfold.config.ts', 'unfold.config.mts', 'unfold.config.js', 'unfold.config.mjs'] as const;

/**
 * The packages a pipeline module imports are the server's own, not copies from wherever the
 * module sits: one engine, one zod (a schema from a second copy would not be recognised), and
 * a module in a folder with no node_modules at all still loads.
 */
const SHARED_MODULES: Record<string, unknown> = {
  '@unfold/engine': engine,
  '@unfold/pipelines': pipelines,
  '@unfold/protocol': protocol,
  zod,
  'zod/v4': zod,
};

/** What a pipeline module may import without installing it (an editor is pointed at the same: `unfold init`). */
export const SHARED_MODULE_NAMES: readonly string[] = Object.keys(SHARED_MODULES);

/** One module the pipelines came from, and what it gave. */
export interface LoadedModule {
  file: string;
  pipelines: AnyPipeline[];
}

/**
 * Imports a module of the user's, TypeScript included (jiti), fresh each time (so `unfold dev`
 * sees edits), with the server's own packages in place of theirs: what `unfold serve` loads
 * pipelines with and `unfold test` runs a project's tests with, so both see the same code.
 */
export function importUserModule(file: string): Promise<unknown> {
  return createJiti(import.meta.url, { moduleCache: false, fsCache: false, virtualModules: SHARED_MODULES }).import(file, { default: true });
}

/**
 * Which modules to load: those named (`--pipelines`, then UNFOLD_PIPELINES), or else an
 * `unfold.config.*` in `root`. Paths are resolved against `root`.
 */
export function pipelineModulePaths(named: readonly string[], root: string): string[] {
  if (named.length > 0) return named.map((path) => resolve(root, path));
  const config = CONFIG_FILES.map((name) => resolve(root, name)).find((path) => existsSync(path));
  return config ? [config] : [];
}

/**
 * Imports a pipeline module (`importUserModule`). Its default export is a pipeline, an array
 * of pipelines, or a config (`{ pipelines: … }`). Anything else, a missing file or a module that throws on import, is
 * `invalid_pipeline_module` naming the file and the problem.
 */
export async function loadPipelineModule(file: string): Promise<LoadedModule> {
  const fail = (problem: string, cause?: unknown): never => {
    throw new UnfoldError('invalid_pipeline_module', `cannot load pipelines from ${file}: ${problem}`, cause === undefined ? {} : { cause });
  };
  if (!existsSync(file)) fail('no such file');
  let exported: unknown;
  try {
    exported = await importUserModule(file);
  } catch (error) {
    // One line (a syntax error's message carries a code frame), short enough for a terminal.
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').trim();
    fail(`it threw on import: ${message.length > 500 ? `${message.slice(0, 500)}…` : message}`, error);
  }
  const listed = (exported as { pipelines?: unknown } | undefined)?.pipelines ?? exported;
  const candidates = Array.isArray(listed) ? listed : [listed];
  if (exported === undefined || candidates.length === 0) fail('its default export is not a pipeline (export default definePipeline({ … }), an array of them, or { pipelines: [...] })');
  const loaded = candidates.map((candidate, index) => {
    const pipeline = candidate as Partial<AnyPipeline> | undefined;
    const where = candidates.length > 1 ? `item ${index + 1} of its default export` : 'its default export';
    if (typeof pipeline?.name !== 'string' || !Array.isArray(pipeline.steps) || typeof pipeline.parseInput !== 'function') {
      fail(`${where} is not a pipeline (make it with definePipeline from @unfold/engine)`);
    }
    return pipeline as AnyPipeline;
  });
  return { file, pipelines: loaded };
}

/** Every module in order; the first that fails stops the load, with its own message. */
export async function loadPipelineModules(files: readonly string[]): Promise<LoadedModule[]> {
  const modules: LoadedModule[] = [];
  for (const file of files) modules.push(await loadPipelineModule(file));
  return modules;
}
