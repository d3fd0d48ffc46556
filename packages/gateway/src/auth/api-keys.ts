import { createHash, timingSafeEqual } from 'node:crypto';
import { UnfoldError } from '@unfold/protocol';
import type { FastifyRequest } from 'fastify';

const digest = (key: string) => createHash('sha256').update(key).digest();

/**
 * API keys from UNFOLD_API_KEYS, held only as SHA-256 digests and compared in constant
 * time. With no keys configured the server is open (and says so at start).
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** Throws `unauthorized` unless the request carries a configured key (X-API-Key or Bearer). */
  check(request: FastifyRequest): void {
    if (!this.enabled) return;
    const header = request.headers['x-api-key'];
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const given = (Array.isArray(header) ? header[0] : header) ?? bearer;
    const candidate = given ? digest(given) : undefined;
    if (!candidate || !this.digests.some((known) => timingSafeEqual(known, candidate))) {
      throw new UnfoldError('unauthorized', given ? 'the API key is not valid' : 'an API key is required (X-API-Key header)');
    }
  }
}
