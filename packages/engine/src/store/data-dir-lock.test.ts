import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnfoldError } from '@unfold/protocol';
import { afterEach, describe, expect, it } from 'vitest';
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
});
