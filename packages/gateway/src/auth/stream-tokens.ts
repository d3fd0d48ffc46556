import { UnfoldError } from '@unfold/protocol';
import { SignJWT, jwtVerify, errors } from 'jose';
import type { Principal } from './principal.js';

const AUDIENCE = 'unfold-stream';

export type StreamTokenPrincipal = Extract<Principal, { kind: 'stream_token' }>;

/**
 * Short-lived signed tokens that let a browser open a stream (where it cannot set headers)
 * as the principal that negotiated it: its tenant, its key, and the runs it asked for.
 */
export class StreamTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string | undefined,
    private readonly ttlSeconds: number,
  ) {
    this.key = secret ? new TextEncoder().encode(secret) : crypto.getRandomValues(new Uint8Array(32));
  }

  /**
   * Issued to `principal`: with no `runIds` the token covers the tenant's runs (a multiplexed
   * connection), else only those runs. The scope is written out either way, so no reading of
   * an empty list can widen it.
   */
  async issue(principal: Exclude<Principal, { kind: 'stream_token' }>, runIds: readonly string[]): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000);
    const scope = runIds.length === 0 ? { scope: 'tenant' } : { scope: 'runs', runs: runIds };
    const token = await new SignJWT({ tenant: principal.tenant, ...scope })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(AUDIENCE)
      .setSubject(principal.key_id ?? 'local')
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The principal a token stands for; `invalid_token` when it is forged, tampered, expired or misshapen. */
  async verify(token: string): Promise<StreamTokenPrincipal> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, { audience: AUDIENCE, algorithms: ['HS256'] }));
    } catch (error) {
      const expired = error instanceof errors.JWTExpired;
      throw new UnfoldError('invalid_token', expired ? 'the stream token has expired; negotiate again' : 'the stream token is not valid');
    }
    const { tenant, sub, scope, runs } = payload;
    if (typeof tenant !== 'string' || typeof sub !== 'string') throw new UnfoldError('invalid_token', 'the stream token is not valid');
    const keyId = sub === 'local' ? null : sub;
    if (scope === 'tenant') return { kind: 'stream_token', tenant, key_id: keyId, runs: 'tenant' };
    // Anything but a list of run ids covers no run at all: a token never means more than it says.
    const listed = scope === 'runs' && Array.isArray(runs) ? runs.filter((run): run is string => typeof run === 'string') : [];
    return { kind: 'stream_token', tenant, key_id: keyId, runs: listed };
  }
}
