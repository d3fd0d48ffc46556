import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { mayFollowRun } from './principal.js';
import { StreamTokens } from './stream-tokens.js';

const SECRET = 's'.repeat(32);
const key = { kind: 'key' as const, tenant: 'acme', key_id: 'key_000000000001' };
const sign = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setAudience('unfold-stream').setSubject('key_000000000001').setExpirationTime('1m').sign(new TextEncoder().encode(secret));

describe('StreamTokens', () => {
  const tokens = new StreamTokens(SECRET, 60);

  it('carries the tenant and the key it was issued to, scoped to the runs asked for or else to the tenant', async () => {
    const scoped = await tokens.verify((await tokens.issue(key, ['a', 'b'])).token);
    expect(scoped).toEqual({ kind: 'stream_token', tenant: 'acme', key_id: 'key_000000000001', runs: ['a', 'b'] });
    expect(mayFollowRun(scoped, 'a')).toBe(true);
    expect(mayFollowRun(scoped, 'c')).toBe(false);
    const tenantWide = await tokens.verify((await tokens.issue({ kind: 'local', tenant: 'default', key_id: null }, [])).token);
    expect(tenantWide).toEqual({ kind: 'stream_token', tenant: 'default', key_id: null, runs: 'tenant' });
  });

  it('reads an empty or missing run list as no run at all, never as every run', async () => {
    for (const claims of [{ tenant: 'acme', runs: [] }, { tenant: 'acme', scope: 'runs', runs: [] }, { tenant: 'acme', scope: 'runs' }, { tenant: 'acme', scope: 'all' }]) {
      const principal = await tokens.verify(await sign(claims));
      expect(mayFollowRun(principal, 'any-run')).toBe(false);
    }
  });

  it('refuses a token signed with another secret, unsigned (alg none), tampered with, or without a tenant, as invalid_token', async () => {
    const valid = (await tokens.issue(key, ['a'])).token;
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), scope: 'tenant' })).toString('base64url');
    const unsigned = new UnsecuredJWT({ tenant: 'acme', scope: 'tenant' }).setAudience('unfold-stream').setSubject('key_000000000001').encode();
    for (const token of [await sign({ tenant: 'acme', scope: 'tenant' }, 'x'.repeat(32)), unsigned, `${header}.${widened}.${signature}`, await sign({ scope: 'tenant' })]) {
      await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'invalid_token' });
    }
  });
});
