import { UnfoldError } from '@unfold/protocol';
import { SignJWT, jwtVerify, errors, type JWTPayload } from 'jose';
import type { Principal } from './principal.js';

const AUDIENCE = 'unfold-stream';

export type StreamTokenPrincipal = Extract<Principal, { kind: 'stream_token' }>;

/** The secrets tokens are signed with: `current` signs, `previous` (during a rotation) still verifies. */
export interface TokenSecrets {
  current: string;
  previous?: string | undefined;
}

const encode = (secret: string): Uint8Array => new TextEncoder().encode(secret);
const INVALID = 'the stream token is not valid';
/** The algorithm is pinned, never read off the token: neither `none` nor a public-key algorithm can stand in for the secret. */
const VERIFY_OPTIONS = { audience: AUDIENCE, algorithms: ['HS256'] };

/**
 * Short-lived signed tokens that let a browser open a stream (where it cannot set headers)
 * as the principal that negotiated it: its tenant, its key, and the runs it asked for.
 */
export class StreamTokens {
  private readonly signingKey: Uint8Array;
  private readonly previousKey: Uint8Array | undefined;

  constructor(
    secrets: TokenSecrets,
    private readonly ttlSeconds: number,
  ) {
    this.signingKey = encode(secrets.current);
    this.previousKey = secrets.previous === undefined ? undefined : encode(secrets.previous);
  }

  /**
   * Issued to `principal`: with no `runIds` the token covers the tenant's runs (a multiplexed
   * connection), else only those runs. The scope is written out either way, so no reading of
   * an empty list can widen it.
   */
  async issue(principal: Exclude<Principal, { kind: 'stream_token' }>, runIds: readonly string[]): Promise<{ token: string; expiresAt: Date }> {
    // Whole seconds, as the token's `exp`: the expiry a client is told is exactly the token's.
    const expiresAt = new Date((Math.floor(Date.now() / 1000) + this.ttlSeconds) * 1000);
    const scope = runIds.length === 0 ? { scope: 'tenant' } : { scope: 'runs', runs: runIds };
    const token = await new SignJWT({ tenant: principal.tenant, ...scope })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(AUDIENCE)
      .setSubject(principal.key_id ?? 'local')
      .setIssuedAt()
      .setExpirationTime(expiresAt.getTime() / 1000)
      .sign(this.signingKey);
    return { token, expiresAt };
  }

  /**
   * The principal a token stands for; `invalid_token` when it is forged, tampered, expired or
   * misshapen. The message says which only for expiry: nothing else a forger could learn from.
   */
  async verify(token: string): Promise<StreamTokenPrincipal> {
    let payload: JWTPayload;
    try {
      payload = await this.verifiedPayload(token);
    } catch (error) {
      throw new UnfoldError('invalid_token', error instanceof errors.JWTExpired ? 'the stream token has expired; negotiate again' : INVALID);
    }
    const { tenant, sub, scope, runs, exp } = payload;
    if (typeof tenant !== 'string' || typeof sub !== 'string' || typeof exp !== 'number') throw new UnfoldError('invalid_token', INVALID);
    const keyId = sub === 'local' ? null : sub;
    const expiresAt = new Date(exp * 1000);
    if (scope === 'tenant') return { kind: 'stream_token', tenant, key_id: keyId, runs: 'tenant', expires_at: expiresAt };
    // Anything but a list of run ids covers no run at all: a token never means more than it says.
    const listed = scope === 'runs' && Array.isArray(runs) ? runs.filter((run): run is string => typeof run === 'string') : [];
    return { kind: 'stream_token', tenant, key_id: keyId, runs: listed, expires_at: expiresAt };
  }

  /** Checked with the current secret, then (in a rotation) with the previous one if it was only the signature that failed. */
  private async verifiedPayload(token: string): Promise<JWTPayload> {
    try {
      return (await jwtVerify(token, this.signingKey, VERIFY_OPTIONS)).payload;
    } catch (error) {
      if (this.previousKey === undefined || !(error instanceof errors.JWSSignatureVerificationFailed)) throw error;
      return (await jwtVerify(token, this.previousKey, VERIFY_OPTIONS)).payload;
    }
  }
}
