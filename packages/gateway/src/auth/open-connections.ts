import { UnfoldError } from '@unfold/protocol';
import type { FastifyRequest } from 'fastify';
import type { KeyLimits } from '../limits/key-limits.js';
import { auditedRefusal } from './audit.js';
import type { Principal } from './principal.js';

/** What the registry needs of a streaming connection: a way to refuse it, and to hear that it ended. */
export interface RevocableConnection {
  refuse(error: unknown): void;
  onEnded(listener: () => void): void;
}

/** Where the local principal's connections are kept: no key id has this form. */
const LOCAL = ':local';

/**
 * The streaming connections (WebSockets, SSE and NDJSON streams) open per API key, so that
 * revoking a key closes them: each is refused with `key_revoked` (close code 4003 on a
 * WebSocket, an error frame on a stream). The local principal's are kept too, to be closed
 * when the first key is created and the server stops serving anyone without one. Opening
 * one takes a connection of the key's allowance (`UNFOLD_LIMIT_CONNECTIONS`), given back when
 * it ends.
 */
export class OpenConnections {
  private readonly byKey = new Map<string, Set<RevocableConnection>>();

  constructor(private readonly limits: KeyLimits) {}

  /**
   * Admits a connection of the principal's key, then makes it (`connect`: a stream's
   * answer starts only once it is admitted) and keeps it until it ends. Throws
   * `rate_limited` (audited) when the key holds as many as it may, having made nothing.
   */
  async open<C extends RevocableConnection>(request: FastifyRequest, principal: Principal, connect: () => C): Promise<C> {
    const release = await this.limits.openConnection(principal).catch(auditedRefusal(request, principal));
    let connection: C;
    try {
      connection = connect();
    } catch (error) {
      release();
      throw error;
    }
    connection.onEnded(release);
    this.attach(principal, connection);
    return connection;
  }

  private attach(principal: Principal, connection: RevocableConnection): void {
    const keyId = principal.key_id ?? LOCAL;
    let open = this.byKey.get(keyId);
    if (!open) {
      open = new Set();
      this.byKey.set(keyId, open);
    }
    open.add(connection);
    connection.onEnded(() => {
      open.delete(connection);
      if (open.size === 0 && this.byKey.get(keyId) === open) this.byKey.delete(keyId);
    });
  }

  /** Closes every connection of the key; returns how many there were. */
  revoke(keyId: string): number {
    return this.closeAll(keyId, () => new UnfoldError('key_revoked', 'the API key this connection was opened with has been revoked'));
  }

  /** Closes every connection opened without a key (the server now requires one); returns how many there were. */
  closeLocal(): number {
    return this.closeAll(LOCAL, () => new UnfoldError('unauthorized', 'this server now requires an API key'));
  }

  private closeAll(keyId: string, reason: () => UnfoldError): number {
    const open = this.byKey.get(keyId);
    if (!open) return 0;
    this.byKey.delete(keyId);
    const connections = [...open];
    for (const connection of connections) connection.refuse(reason());
    return connections.length;
  }
}
