import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { UnfoldError } from '@unfold/protocol';
import lockfile from 'proper-lockfile';

/** Who owns a data directory, as its owner wrote it next to the lock. */
export interface DataDirOwner {
  pid: number;
  hostname: string;
  started_at: string;
  /** Where the owner serves, once it listens: a second process sends its runs there. */
  url?: string;
}

export interface DataDirLock {
  readonly directory: string;
  /** Records where the owner serves, for `readDataDirOwner`. */
  setUrl(url: string): Promise<void>;
  release(): Promise<void>;
}

const LOCK = 'unfold.lock';
const OWNER = 'unfold.owner.json';
/**
 * An owner refreshes the lock's mtime every STALE_MS / 2; one that stopped without
 * releasing (kill -9, power loss) is taken over after STALE_MS, or at once when its pid
 * is seen dead on this host.
 */
const STALE_MS = 10_000;

/** Directories this process holds: a dead owner with our pid was an earlier life of this pid (a container restarted). */
const held = new Set<string>();

// Stryker disable next-line BooleanLiteral: equivalent, the directory is already resolved and the lock's path is given, so resolving links again names the same lock
const lockOptions = (directory: string) => ({ lockfilePath: join(directory, LOCK), realpath: false, stale: STALE_MS });

/**
 * Takes a data directory for this process, so that no second server, and no CLI run
 * embedding one, opens the same SQLite file (a second writer on the same runs would end
 * the first's runs as interrupted and collide on their seqs). Throws UnfoldError
 * `data_dir_in_use` naming the directory and the owner's pid when a live process holds it.
 * `onCompromised` hears of the lock being lost while held (its directory removed, or not
 * refreshed in time); the default of proper-lockfile, throwing, would stop the process.
 */
export async function lockDataDir(dataDir: string, onCompromised: (error: Error) => void): Promise<DataDirLock> {
  const directory = resolve(dataDir);
  const owner: DataDirOwner = { pid: process.pid, hostname: hostname(), started_at: new Date().toISOString() };
  const release = await writable(directory, async () => {
    await mkdir(directory, { recursive: true });
    const unlock = await acquire(directory, onCompromised);
    await writeOwner(directory, owner).catch(async (error: unknown) => {
      await unlock();
      throw error;
    });
    return unlock;
  });
  held.add(directory);
  // Per handle, not per directory: a handle released twice must not free a lock taken since.
  let released = false;
  return {
    directory,
    setUrl: (url) => writeOwner(directory, { ...owner, url }),
    async release() {
      if (released) return;
      released = true;
      held.delete(directory);
      await rm(join(directory, OWNER), { force: true });
      await release().catch(() => undefined);
    },
  };
}

/** A directory this process cannot write (read-only, full, not permitted) is named as such, coded. */
async function writable<T>(directory: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT'].includes(code)) throw error;
    throw new UnfoldError('storage_unavailable', `the data directory ${directory} is not writable (${code}): ${(error as Error).message}`, { cause: error });
  }
}

/** The live owner of a data directory, or undefined when none holds it. */
export async function readDataDirOwner(dataDir: string): Promise<DataDirOwner | undefined> {
  const directory = resolve(dataDir);
  // Stryker disable next-line ArrowFunction: equivalent, undefined is as false as false
  const locked = await lockfile.check(directory, lockOptions(directory)).catch(() => false);
  if (!locked) return undefined;
  const owner = await readOwner(directory);
  return owner && isDead(directory, owner) ? undefined : owner;
}

async function acquire(directory: string, onCompromised: (error: Error) => void): Promise<() => Promise<void>> {
  const options = { ...lockOptions(directory), onCompromised };
  try {
    return await lockfile.lock(directory, options);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ELOCKED') throw error;
    const owner = await readOwner(directory);
    if (owner && isDead(directory, owner)) {
      await rm(options.lockfilePath, { recursive: true, force: true });
      return lockfile.lock(directory, options);
    }
    const who = owner ? `process ${owner.pid} on ${owner.hostname}${owner.url ? ` (serving ${owner.url})` : ''}` : 'another process';
    throw new UnfoldError('data_dir_in_use', `the data directory ${directory} is in use by ${who}; stop it, or give this process another UNFOLD_DATA_DIR`, {
      details: { directory, ...(owner ? { pid: owner.pid, hostname: owner.hostname } : {}) },
    });
  }
}

/** Known dead: on this host, and its pid is gone (or is ours without our holding the lock). */
function isDead(directory: string, owner: DataDirOwner): boolean {
  if (owner.hostname !== hostname()) return false;
  if (owner.pid === process.pid) return !held.has(directory);
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'ESRCH';
  }
}

async function readOwner(directory: string): Promise<DataDirOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(join(directory, OWNER), 'utf8')) as Partial<DataDirOwner>;
    return typeof owner.pid === 'number' && typeof owner.hostname === 'string' ? (owner as DataDirOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole, then renamed: a reader never sees half a file. */
async function writeOwner(directory: string, owner: DataDirOwner): Promise<void> {
  const temporary = join(directory, `${OWNER}.${process.pid}.tmp`);
  await writeFile(temporary, `${JSON.stringify(owner)}\n`);
  await rename(temporary, join(directory, OWNER));
}
