import { generateApiKey, hashApiKey, parseNewApiKey, type ActiveApiKey, type ApiKeyRecord, type ApiKeyStore } from './api-key-store.js';

/** Keys in memory, for the memory store: gone with the process, like its runs. */
export function memoryApiKeys(): ApiKeyStore {
  const keys = new Map<string, ActiveApiKey>();
  let writes = 0;
  const record = ({ key_hash: _hash, ...rest }: ActiveApiKey): ApiKeyRecord => ({ ...rest });
  return {
    async create(request) {
      const { tenant, label } = parseNewApiKey(request);
      const { key, key_id } = generateApiKey();
      const stored: ActiveApiKey = { key_id, tenant, label, key_hash: hashApiKey(key), created_at: new Date().toISOString(), last_used_at: null, revoked_at: null };
      keys.set(key_id, stored);
      // Stryker disable next-line UpdateOperator: equivalent, the mark only has to change; counting down changes it as counting up does
      writes++;
      return { key, record: record(stored) };
    },
    async list() {
      return [...keys.values()].map(record);
    },
    async active() {
      return [...keys.values()].filter((key) => key.revoked_at === null).map((key) => ({ ...key }));
    },
    async revoke(keyId, now = new Date()) {
      const stored = keys.get(keyId);
      if (stored && stored.revoked_at === null) {
        stored.revoked_at = now.toISOString();
        // Stryker disable next-line UpdateOperator: equivalent, the mark only has to change; counting down changes it as counting up does
        writes++;
      }
      return stored && record(stored);
    },
    async touch(keyId, now = new Date()) {
      const stored = keys.get(keyId);
      if (stored) stored.last_used_at = now.toISOString();
    },
    changeMark: () => String(writes),
  };
}
