import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module the browser entry points reach, following relative imports. */
async function reachable(entry: string, seen = new Set<string>()): Promise<Map<string, string[]>> {
  const imports = new Map<string, string[]>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    const specifiers = [...source.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((match) => match[1] as string);
    imports.set(file, specifiers);
    for (const specifier of specifiers) if (specifier.startsWith('.')) await visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
  };
  await visit(entry);
  return imports;
}

describe('browser build', () => {
  it.each(['index.ts', 'react/use-run.ts'])('%s reaches no Node-only module', async (entry) => {
    const graph = await reachable(join(here, entry));
    const external = [...graph.values()].flat().filter((specifier) => !specifier.startsWith('.'));
    expect(external.filter((specifier) => specifier.startsWith('node:') || specifier === 'ws')).toEqual([]);
    expect(new Set(external)).toEqual(new Set(['@unfold/protocol', 'eventsource-parser', ...(entry.startsWith('react') ? ['react'] : [])]));
  });
});
