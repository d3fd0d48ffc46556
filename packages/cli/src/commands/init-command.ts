import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { editorCompilerOptions } from '../starter/editor-types.js';

/** The starter project, as files (the same from src/commands and dist/commands). */
const STARTER = fileURLToPath(new URL('../../templates/starter/', import.meta.url));
/** npm leaves every .gitignore out of a package, so the template carries it under another name. */
const TARGET_NAMES: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

export interface InitOptions {
  force?: boolean;
}

/** The starter's file, as written into the new project. */
async function contents(template: string): Promise<string> {
  const text = await readFile(join(STARTER, template), 'utf8');
  if (template !== 'tsconfig.json') return text;
  // The packages a project imports are this CLI's own, wherever it is installed: only now is that known.
  const tsconfig = JSON.parse(text) as { compilerOptions: Record<string, unknown> };
  tsconfig.compilerOptions = { ...tsconfig.compilerOptions, ...editorCompilerOptions() };
  return `${JSON.stringify(tsconfig, null, 2)}\n`;
}

/**
 * `unfold init [directory]`: writes a project with one example pipeline, its test and its
 * config, runnable at once with `unfold dev` and `unfold test`. A directory with anything in
 * it is refused unless `--force`, which writes the starter's files over those of their names.
 */
export async function initCommand(directory: string, options: InitOptions): Promise<void> {
  const target = resolve(directory);
  const present = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (present.length > 0 && !options.force) {
    throw new Error(`init: ${target} is not empty; choose a new or empty directory, or pass --force to write the starter's files over any of the same names there`);
  }
  const templates = (await readdir(STARTER, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
  for (const entry of templates) {
    const template = relative(STARTER, join(entry.parentPath, entry.name));
    const file = join(target, dirname(template), TARGET_NAMES[entry.name] ?? entry.name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, await contents(template));
  }
  // The README opens with the commands that run the project: say them now too.
  const readme = await readFile(join(STARTER, 'README.md'), 'utf8');
  const commands = readme.slice(0, readme.indexOf('\n\n')).split('\n').map((line) => line.trim());
  const enter = relative(process.cwd(), target);
  const steps = [...(enter === '' ? [] : [`cd ${enter}`]), ...commands];
  process.stdout.write(`Created an Unfold project in ${target}. Run it with:\n\n${steps.map((step) => `  ${step}\n`).join('')}`);
}
