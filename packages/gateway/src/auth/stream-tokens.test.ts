import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { mayFollowRun } from './principal.js';
import { StreamTokens } from './stream-tokens.js';

const SECRET = 's'.repeat(32);
const OLD_SECRET = 'o'.repeat(32);
const key = { kind: 'key' as const, tenant: 'acme', key_id: 'key_000000000001' };
const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
const sign = (payload: Record<string, unknown>, { secret = SECRET, audience = 'unfold-stream', expires = '1m' as string | number } = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).setAudience(audience).setSubject('key_000000000001').setExpirationTime(expires).sign(new TextEncoder().encode(secret));

describe('StreamTokens', () => {
  const tokens = new StreamTokens({ current: SECRET }, 60);

  it('carries the tenant, the key it was issued to and its expiry, scoped to the runs asked for or else to the tenant', async () => {
    const issued = await tokens.issue(key, ['a', 'b']);
    const scoped = await tokens.verify(issued.token);
    expect(scoped).toEqual({ kind: 'stream_token', tenant: 'acme', key_id: 'key_000000000001', runs: ['a', 'b'], expires_at: issued.expiresAt });
    expect(claims(issued.token)['exp']).toBe(issued.expiresAt.getTime() / 1000);
    expect(mayFollowRun(scoped, 'a')).toBe(true);
    expect(mayFollowRun(scoped, 'c')).toBe(false);
    const tenantWide = await tokens.verify((await tokens.issue({ kind: 'local', tenant: 'default', key_id: null }, [])).token);
    expect(tenantWide).toMatchObject({ kind: 'stream_token', tenant: 'default', key_id: null, runs: 'tenant' });
  });

  it('reads an empty or missing run list as no run at all, never as every run', async () => {
    for (const payload of [{ tenant: 'acme', runs: [] }, { tenant: 'acme', scope: 'runs', runs: [] }, { tenant: 'acme', scope: 'runs' }, { tenant: 'acme', scope: 'all' }]) {
      const principal = await tokens.verify(await sign(payload));
      expect(mayFollowRun(principal, 'any-run')).toBe(false);
    }
  });

  it('refuses, as invalid_token with a message that tells a forger nothing, every token the server did not sign as it signs', async () => {
    const valid = (await tokens.issue(key, ['a'])).token;
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const widened = Buffer.from(JSON.stringify({ ...claims(valid), scope: 'tenant' })).toString('base64url');
    // Signed with a key pair of the forger's, its public key embedded in the header for a naive verifier to trust.
    const publicHeaded = async (alg: string) => {
      const { publicKey, privateKey } = await generateKeyPair(alg);
      return new SignJWT({ tenant: 'acme', scope: 'tenant' }).setProtectedHeader({ alg, jwk: await exportJWK(publicKey) }).setAudience('unfold-stream').setSubject('key_000000000001').setExpirationTime('1m').sign(privateKey);
    };
    // The HMAC secret presented as if it were an RS256 public key: the classic algorithm confusion.
    const confused = `${Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url')}.${payload}.${signature}`;
    const refused: Record<string, string> = {
      'another secret': await sign({ tenant: 'acme', scope: 'tenant' }, { secret: 'x'.repeat(32) }),
      'alg none': new UnsecuredJWT({ tenant: 'acme', scope: 'tenant' }).setAudience('unfold-stream').setSubject('key_000000000001').setExpirationTime('1m').encode(),
      'RS256': await publicHeaded('RS256'),
      'ES256': await publicHeaded('ES256'),
      'RS256 header on an HS256 signature': confused,
      'a tampered payload': `${header}.${widened}.${signature}`,
      'no tenant': await sign({ scope: 'tenant' }),
      'another audience': await sign({ tenant: 'acme', scope: 'tenant' }, { audience: 'unfold-api' }),
      'no expiry': await new SignJWT({ tenant: 'acme', scope: 'tenant' }).setProtectedHeader({ alg: 'HS256' }).setAudience('unfold-stream').setSubject('key_000000000001').sign(new TextEncoder().encode(SECRET)),
      'not a JWT': 'not.a.jwt',
    };
    for (const [name, token] of Object.entries(refused)) {
      await expect(tokens.verify(token), name).rejects.toMatchObject({ code: 'invalid_token', message: 'the stream token is not valid' });
    }
    const expired = await sign({ tenant: 'acme', scope: 'tenant' }, { expires: Math.floor(Date.now() / 1000) - 5 });
    await expect(tokens.verify(expired)).rejects.toMatchObject({ code: 'invalid_token', message: 'the stream token has expired; negotiate again' });
  });

  it('in a rotation, signs with the current secret and still verifies what the previous one signed, but nothing else', async () => {
    const before = new StreamTokens({ current: OLD_SECRET }, 60);
    const rotated = new StreamTokens({ current: SECRET, previous: OLD_SECRET }, 60);
    const oldToken = (await before.issue(key, [])).token;
    const newToken = (await rotated.issue(key, [])).token;
    await expect(rotated.verify(oldToken)).resolves.toMatchObject({ tenant: 'acme', runs: 'tenant' });
    await expect(rotated.verify(newToken)).resolves.toMatchObject({ tenant: 'acme', runs: 'tenant' });
    // Signed with the current secret: the server without the rotation takes it, the old one does not.
    await expect(tokens.verify(newToken)).resolves.toMatchObject({ tenant: 'acme' });
    await expect(before.verify(newToken)).rejects.toMatchObject({ code: 'invalid_token' });
    // Once the previous secret is dropped, its tokens are refused.
    await expect(tokens.verify(oldToken)).rejects.toMatchObject({ code: 'invalid_token' });
    // An expired token of the previous secret is refused as expired, not let through by the second try.
    const expiredOld = await sign({ tenant: 'acme', scope: 'tenant' }, { secret: OLD_SECRET, expires: Math.floor(Date.now() / 1000) - 5 });
    await expect(rotated.verify(expiredOld)).rejects.toMatchObject({ code: 'invalid_token', message: expect.stringContaining('expired') });
    await expect(rotated.verify(await sign({ tenant: 'acme', scope: 'tenant' }, { secret: 'x'.repeat(32) }))).rejects.toMatchObject({ code: 'invalid_token' });
  });
});
