import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataDirTokenSecret, generateTokenSecret } from './token-secret.js';

describe('dataDirTokenSecret', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'unfold-secret-'));
  });
  afterEach(async () => rm(dataDir, { recursive: true, force: true }));

  it('generates a secret once, readable by its owner only, and reads the same one back', async () => {
    const secret = await dataDirTokenSecret(dataDir);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(join(dataDir, 'token-secret'))).mode & 0o777).toBe(0o600);
    expect(await dataDirTokenSecret(dataDir)).toBe(secret);
    expect(generateTokenSecret()).not.toBe(secret);
  });

  it('agrees on one secret when started twice at once, and leaves no draft behind', async () => {
    const secrets = await Promise.all(Array.from({ length: 5 }, () => dataDirTokenSecret(dataDir)));
    expect(new Set(secrets).size).toBe(1);
    expect(await readdir(dataDir)).toEqual(['token-secret']);
  });

  it('keeps a secret put there by hand, and refuses a file that holds none rather than replace it', async () => {
    await writeFile(join(dataDir, 'token-secret'), `${'k'.repeat(40)}\n`);
    expect(await dataDirTokenSecret(dataDir)).toBe('k'.repeat(40));
    await writeFile(join(dataDir, 'token-secret'), 'short\n');
    await expect(dataDirTokenSecret(dataDir)).rejects.toThrow(`${join(dataDir, 'token-secret')} holds no usable stream token secret`);
  });

  it('fails, naming the cause, when the data directory cannot hold it or the file cannot be read', async () => {
    await expect(dataDirTokenSecret(join(dataDir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    await mkdir(join(dataDir, 'token-secret'));
    await expect(dataDirTokenSecret(dataDir)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
