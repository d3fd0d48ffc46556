import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { importUserModule } from '@unfold/gateway';

const TEST_FILE = /\.test\.(ts|js)$/;

/** Test files below `dir`, in a stable order; dependencies and dot folders (.unfold, .git) are not the project's tests. */
async function findTestFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) found.push(...(await findTestFiles(path)));
    else if (entry.isFile() && TEST_FILE.test(entry.name)) found.push(path);
  }
  return found.sort();
}

/**
 * `unfold test [files…]`: imports a project's test files the way the server imports its
 * pipelines (`importUserModule`: TypeScript, and this CLI's `@unfold/engine` and `zod` with no
 * node_modules), in this process. Their `node:test` tests then run and report as `node --test`
 * does, and a failure sets the exit code; a file that does not load stops the command.
 */
export async function testCommand(files: string[]): Promise<void> {
  const root = process.cwd();
  const chosen = files.length > 0 ? files.map((file) => resolve(root, file)) : await findTestFiles(root);
  if (chosen.length === 0) throw new Error(`no test files found in ${root} (*.test.ts or *.test.js, outside node_modules and .unfold)`);
  const missing = chosen.filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`test: no such file ${missing.join(', ')}`);
  for (const file of chosen) {
    try {
      await importUserModule(file);
    } catch (error) {
      throw new Error(`test: cannot load ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
