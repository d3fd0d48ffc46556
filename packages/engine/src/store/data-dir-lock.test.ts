import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UnfoldError } from '@unfold/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The real file system, with a way to make one call fail as a read-only or full disk would
// (root, which runs these tests, can write anywhere).
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, mkdir: vi.fn(actual.mkdir), writeFile: vi.fn(actual.writeFile) };
});
import { lockDataDir, readDataDirOwner } from './data-dir-lock.js';

const directories: string[] = [];
afterEach(async () => Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true }))));

async function dataDir(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'unfold-lock-'));
  directories.push(directory);
  return join(directory, 'data');
}

const compromised = (error: Error) => {
  throw error;
};

describe('data directory lock', () => {
  it('refuses a second owner with data_dir_in_use naming the directory and the pid, and frees the directory on release', async () => {
    const directory = await dataDir();
    const lock = await lockDataDir(directory, compromised);
    await lock.setUrl('http://127.0.0.1:4321');
    expect(await readDataDirOwner(directory)).toMatchObject({ pid: process.pid, url: 'http://127.0.0.1:4321' });
    const second = await lockDataDir(directory, compromised).catch((error: unknown) => error);
    expect(UnfoldError.isInstance(second) && second.code).toBe('data_dir_in_use');
    expect((second as Error).message).toContain(directory);
    expect((second as Error).message).toContain(`process ${process.pid}`);
    await lock.release();
    expect(await readDataDirOwner(directory)).toBeUndefined();
    await (await lockDataDir(directory, compromised)).release();
  });

  /** A lock left behind, fresh (not stale), with the owner file `owner` (raw text), as a stopped process leaves it. */
  async function leftBehind(owner: string | undefined): Promise<string> {
    const directory = await dataDir();
    await mkdir(join(directory, 'unfold.lock'), { recursive: true });
    if (owner !== undefined) await writeFile(join(directory, 'unfold.owner.json'), owner);
    return directory;
  }
  const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid;

  it('takes over from an owner seen dead on this host, or from an earlier life of its own pid', async () => {
    for (const pid of [deadPid(), process.pid]) {
      const directory = await leftBehind(JSON.stringify({ pid, hostname: hostname(), started_at: '2026-01-01T00:00:00.000Z' }));
      expect(await readDataDirOwner(directory)).toBeUndefined();
      const lock = await lockDataDir(directory, compromised);
      expect(lock.directory).toBe(directory);
      const owner = JSON.parse(await readFile(join(directory, 'unfold.owner.json'), 'utf8')) as Record<string, unknown>;
      expect(owner).toEqual({ pid: process.pid, hostname: hostname(), started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
      await lock.release();
      await lock.release();
      await expect(readFile(join(directory, 'unfold.owner.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it('leaves a live owner, one on another host, or one it cannot read, and says who holds the directory', async () => {
    const elsewhere = await leftBehind(JSON.stringify({ pid: deadPid(), hostname: 'another-host', started_at: '2026-01-01T00:00:00.000Z', url: 'http://10.0.0.2:8080' }));
    expect(await readDataDirOwner(elsewhere)).toMatchObject({ hostname: 'another-host' });
    const refused = await lockDataDir(elsewhere, compromised).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'data_dir_in_use', details: { directory: elsewhere, hostname: 'another-host' } });
    expect((refused as Error).message).toContain(' on another-host (serving http://10.0.0.2:8080)');

    const live = await leftBehind(JSON.stringify({ pid: process.ppid, hostname: hostname(), started_at: '2026-01-01T00:00:00.000Z' }));
    const refusedLive = await lockDataDir(live, compromised).catch((error: unknown) => error);
    expect(refusedLive).toMatchObject({ code: 'data_dir_in_use', details: { pid: process.ppid, hostname: hostname() } });
    expect((refusedLive as Error).message).toBe(`the data directory ${live} is in use by process ${process.ppid} on ${hostname()}; stop it, or give this process another UNFOLD_DATA_DIR`);

    for (const unreadable of [undefined, 'not json', JSON.stringify({ pid: '12', hostname: hostname() }), JSON.stringify({ pid: 12 })]) {
      const directory = await leftBehind(unreadable);
      expect(await readDataDirOwner(directory)).toBeUndefined();
      const error = await lockDataDir(directory, compromised).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'data_dir_in_use', details: { directory } });
      expect((error as UnfoldError).details).toEqual({ directory });
      expect((error as Error).message).toContain('in use by another process');
    }
  });

  it('reads no owner where no lock is held, whatever owner file was left', async () => {
    const directory = await dataDir();
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, 'unfold.owner.json'), JSON.stringify({ pid: process.ppid, hostname: hostname(), started_at: '2026-01-01T00:00:00.000Z' }));
    expect(await readDataDirOwner(directory)).toBeUndefined();
  });

  it('releases once: a second release leaves alone the lock taken since, and a release survives a missing owner file', async () => {
    const directory = await dataDir();
    const first = await lockDataDir(directory, compromised);
    await first.release();
    expect(existsSync(join(directory, 'unfold.lock'))).toBe(false);
    const second = await lockDataDir(directory, compromised);
    await first.release();
    expect(existsSync(join(directory, 'unfold.lock'))).toBe(true);
    expect(JSON.parse(await readFile(join(directory, 'unfold.owner.json'), 'utf8'))).toMatchObject({ pid: process.pid });
    await rm(join(directory, 'unfold.owner.json'));
    await second.release();
    expect(existsSync(join(directory, 'unfold.lock'))).toBe(false);
  });

  it('passes on a failure that is not about writing the directory as it was', async () => {
    const parent = await dataDir();
    await mkdir(dirname(parent), { recursive: true });
    await writeFile(parent, 'a file where the directory should be');
    const error = await lockDataDir(join(parent, 'data'), compromised).catch((caught: unknown) => caught);
    expect(UnfoldError.isInstance(error)).toBe(false);
    expect(error).toMatchObject({ code: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) });
  });

  it('names a directory it cannot write storage_unavailable, with the system\'s code', async () => {
    for (const code of ['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT']) {
      const directory = await dataDir();
      vi.mocked(mkdir).mockRejectedValueOnce(Object.assign(new Error(`${code}: cannot write`), { code }));
      const error = await lockDataDir(directory, compromised).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'storage_unavailable', message: `the data directory ${directory} is not writable (${code}): ${code}: cannot write` });
      expect((error as Error).cause).toMatchObject({ code });
    }
  });

  it('lets the lock go when it cannot write its owner file', async () => {
    const directory = await dataDir();
    vi.mocked(writeFile).mockRejectedValueOnce(Object.assign(new Error('no space'), { code: 'ENOSPC' }));
    await expect(lockDataDir(directory, compromised)).rejects.toMatchObject({ code: 'storage_unavailable' });
    await (await lockDataDir(directory, compromised)).release();
  });
});
