import { UnfoldError } from '@unfold/protocol';
import type { RevocableConnection } from './open-connections.js';
import type { Principal } from './principal.js';

/**
 * Ends a WebSocket opened with a stream token when the token expires, with `token_expired`
 * (close 4401), unless a refresh moved it onto a newer token first: a token bounds how long
 * it grants access, not only when a connection may open. A key's connections never expire.
 */
export class TokenExpiry {
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(private readonly connection: RevocableConnection) {
    connection.onEnded(() => {
      this.ended = true;
      clearTimeout(this.timer);
    });
  }

  /** Counts down to the principal's expiry, replacing the count of the token it had before. */
  follow(principal: Principal): void {
    clearTimeout(this.timer);
    if (this.ended || principal.kind !== 'stream_token') return;
    const expire = () => this.connection.refuse(new UnfoldError('token_expired', 'the stream token expired; negotiate a new one and resume from the last seq'));
    this.timer = setTimeout(expire, principal.expires_at.getTime() - Date.now());
    // The server's listening socket keeps the process up, not a connection's countdown.
    this.timer.unref();
  }
}
