import { UnfoldError } from '@unfold/protocol';
import type { FastifyRequest } from 'fastify';
import { isLocalClient, isLoopbackAddress } from './client-address.js';
import type { KeyRing } from './key-ring.js';
import { LOCAL_PRINCIPAL, type Principal } from './principal.js';

/** UNFOLD_AUTH: `keys` (a key on every guarded route), `none` (no authentication), or unset (`keys` once one exists). */
export type AuthMode = 'keys' | 'none' | undefined;

/**
 * Who gets in without a key. `none`: everyone, as the local principal. Unset: while no key
 * exists at all, clients on this machine (so `npm start` and a fresh install just work);
 * once one exists, nobody. `keys`: nobody, even before the first key is created.
 */
export class AccessPolicy {
  constructor(
    readonly mode: AuthMode,
    private readonly keys: KeyRing,
  ) {}

  get authenticates(): boolean {
    return this.mode !== 'none';
  }

  /** The principal a request without a credential gets, or the refusal it gets instead. */
  anonymous(request: FastifyRequest): Principal {
    if (this.mode === 'none' || this.servesLocalWithoutKeys(request)) return LOCAL_PRINCIPAL;
    if (this.mode === 'keys' || this.keys.hasKeys) throw new UnfoldError('unauthorized', 'an API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    throw new UnfoldError('unauthorized', 'this server has no API keys yet and answers only clients on its own machine; create one with `unfold keys create --tenant <name>`');
  }

  /** Whether a token issued to a local principal (no key) still stands: only while such a request would be let in. */
  allowsLocal(request: FastifyRequest): boolean {
    return this.mode === 'none' || this.servesLocalWithoutKeys(request);
  }

  /**
   * Refuses to serve a non-loopback address when nothing would guard it: no key exists and
   * UNFOLD_AUTH=none was not said. Anyone who could reach the port would see every run.
   */
  assertBindAllowed(host: string): void {
    if (this.mode !== undefined || this.keys.hasKeys || isLoopbackAddress(host)) return;
    throw new UnfoldError(
      'auth_not_configured',
      `refusing to listen on ${host} with no API key: anyone who can reach it would see every run. Create a key (unfold keys create --tenant <name>), listen on 127.0.0.1, or set UNFOLD_AUTH=none to serve without authentication`,
    );
  }

  private servesLocalWithoutKeys(request: FastifyRequest): boolean {
    return this.mode === undefined && !this.keys.hasKeys && isLocalClient(request);
  }
}
