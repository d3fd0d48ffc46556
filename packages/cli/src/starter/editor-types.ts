import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SHARED_MODULE_NAMES } from '@unfold/gateway';

const require = createRequire(import.meta.url);

/** Where this CLI would load `specifier` from, if it can. */
function resolved(specifier: string): string | undefined {
  try {
    return require.resolve(specifier);
  } catch {
    return undefined;
  }
}

interface Manifest {
  name?: string;
  types?: string;
  exports?: Record<string, { types?: string } | string>;
}

/**
 * The declaration file of a package this CLI hands pipeline modules, found as TypeScript finds
 * it from the engine's own declarations (the `types` of its export), so the editor sees one
 * zod and one engine, not a second copy whose types would not match.
 */
function declarationsOf(specifier: string): string | undefined {
  const entry = resolved(specifier);
  if (entry === undefined) return undefined;
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (!existsSync(path)) continue;
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    // A package.json inside a package (dist/package.json with only "type") names no package.
    if (manifest.name === undefined || !specifier.startsWith(manifest.name)) continue;
    const subpath = `.${specifier.slice(manifest.name.length)}`;
    const exported = manifest.exports?.[subpath];
    const types = typeof exported === 'object' ? exported.types : subpath === '.' ? manifest.types : undefined;
    return types === undefined ? undefined : join(dir, types);
  }
  return undefined;
}

/**
 * `compilerOptions` for a project's tsconfig.json that point an editor at the packages of
 * the CLI running now: the project has no node_modules, it runs on this CLI's packages.
 */
export function editorCompilerOptions(): { paths: Record<string, string[]>; typeRoots?: string[]; types?: string[] } {
  const paths = Object.fromEntries(
    SHARED_MODULE_NAMES.flatMap((name) => {
      const declarations = declarationsOf(name);
      return declarations === undefined ? [] : [[name, [declarations]]];
    }),
  );
  // node:test and node:assert in the project's tests are typed by @types/node, when this CLI has it.
  const nodeTypes = resolved('@types/node/package.json');
  return nodeTypes === undefined ? { paths } : { paths, typeRoots: [dirname(dirname(nodeTypes))], types: ['node'] };
}
