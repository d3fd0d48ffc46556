import { randomBytes } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FILE_NAME = 'token-secret';
/** As UNFOLD_TOKEN_SECRET demands: a generated secret is a valid value for it (and for UNFOLD_TOKEN_SECRET_PREVIOUS when rotating away from it). */
const MIN_LENGTH = 32;

/** A new secret: 32 random bytes as base64url text, so it can be copied into UNFOLD_TOKEN_SECRET as is. */
export function generateTokenSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The secret kept in the data directory, created (owner-only, mode 0600) the first time, so
 * stream tokens survive a restart without any configuration. Written to a file of its own
 * and linked into place, so two starts at once agree on one secret and none ever reads a
 * half-written file.
 */
export async function dataDirTokenSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, FILE_NAME);
  const kept = await readSecret(path);
  if (kept !== undefined) return kept;
  const draft = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(draft, `${generateTokenSecret()}\n`, { mode: 0o600 });
  try {
    await link(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(draft);
  }
  return (await readSecret(path)) as string;
}

async function readSecret(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const secret = text.trim();
  // Never repaired silently: a new secret would end every token without saying why.
  if (secret.length < MIN_LENGTH) throw new Error(`${path} holds no usable stream token secret; delete it to generate a new one`);
  return secret;
}
