import { UnfoldError } from '@unfold/protocol';
import { SignJWT, jwtVerify, errors } from 'jose';

const AUDIENCE = 'unfold-stream';

/**
 * Short-lived signed tokens that let a browser open a stream (where it cannot set
 * headers) for the runs it negotiated, and nothing else.
 */
export class StreamTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string | undefined,
    private readonly ttlSeconds: number,
  ) {
    this.key = secret ? new TextEncoder().encode(secret) : crypto.getRandomValues(new Uint8Array(32));
  }

  /** An empty `runIds` scopes the token to every run (a multiplexed connection). */
  async issue(runIds: readonly string[]): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000);
    const token = await new SignJWT({ runs: runIds })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** Throws `invalid_token` (bad or expired) or `forbidden` (another run). */
  async verify(token: string, runId?: string): Promise<void> {
    let runs: unknown;
    try {
      const { payload } = await jwtVerify(token, this.key, { audience: AUDIENCE, algorithms: ['HS256'] });
      runs = payload['runs'];
    } catch (error) {
      const expired = error instanceof errors.JWTExpired;
      throw new UnfoldError('invalid_token', expired ? 'the stream token has expired; negotiate again' : 'the stream token is not valid');
    }
    if (runId === undefined || !Array.isArray(runs) || runs.length === 0) return;
    if (!runs.includes(runId)) throw new UnfoldError('forbidden', `the stream token does not cover run "${runId}"`);
  }
}
