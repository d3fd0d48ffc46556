import { join } from 'node:path';
import { openSqliteApiKeys } from '@unfold/engine';

/** Creates a key in the data directory's store on a connection of its own, as `unfold keys create` does. */
export async function createKey(dataDir: string, tenant: string): Promise<{ key: string; keyId: string }> {
  const keys = openSqliteApiKeys(join(dataDir, 'unfold.sqlite'));
  try {
    const { key, record } = await keys.create({ tenant });
    return { key, keyId: record.key_id };
  } finally {
    keys.close();
  }
}

export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
