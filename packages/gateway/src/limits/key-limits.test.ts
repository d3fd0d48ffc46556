import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.js';
import { KeyLimits } from './key-limits.js';

const key = (keyId: string): Principal => ({ kind: 'key', tenant: 'acme', key_id: keyId });
const token = (keyId: string): Principal => ({ kind: 'stream_token', tenant: 'acme', key_id: keyId, runs: 'tenant', expires_at: new Date(Date.now() + 60_000) });

describe('KeyLimits', () => {
  it('counts runs per key, a stream token against the key it was issued to, and a refused batch takes nothing', async () => {
    const limits = new KeyLimits({ runsPerMinute: 3, connections: 1 });
    await limits.admitRuns(key('a'), 2);
    await expect(limits.admitRuns(token('a'), 2)).rejects.toMatchObject({ code: 'rate_limited', details: { retry_after_ms: expect.any(Number) } });
    await limits.admitRuns(token('a'), 1); // the refused two were given back
    await expect(limits.admitRuns(key('a'))).rejects.toMatchObject({ code: 'rate_limited' });
    await limits.admitRuns(key('b'), 3);
    await limits.admitRuns({ kind: 'local', tenant: 'default', key_id: null }, 3);
  });

  it('holds open connections as a count: a release gives one back, once, and a refusal takes none', async () => {
    const limits = new KeyLimits({ runsPerMinute: 1, connections: 2 });
    const first = await limits.openConnection(key('a'));
    await limits.openConnection(key('a'));
    await expect(limits.openConnection(key('a'))).rejects.toMatchObject({ code: 'rate_limited', details: { retry_after_ms: 1_000 } });
    first();
    first();
    const third = await limits.openConnection(key('a'));
    await expect(limits.openConnection(key('a'))).rejects.toMatchObject({ code: 'rate_limited' });
    third();
    await limits.openConnection(key('a'));
  });
});
