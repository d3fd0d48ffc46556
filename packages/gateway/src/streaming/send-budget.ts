/**
 * When a connection has fallen too far behind its client. The measure is what the client
 * has not taken, not what the server just wrote: the check runs once at the start of each
 * burst of writes (the frames of one turn of the event loop), so a burst is never held
 * against a client that has had no chance to read it, and the limit grows by the largest
 * frame the connection has been sent, so one event larger than the limit (a long receipt's
 * words) passes on its own and does not cut off the fast reader it was sent to.
 *
 * A client that stops reading is cut off at the next burst or heartbeat, so a connection
 * holds at most the limit, its largest frame and one burst.
 */
export class SendBudget {
  private largestFrame = 0;

  constructor(private readonly limitBytes: number) {}

  /** At the start of a burst, with the bytes the client has not taken yet. */
  isBehind(unsentBytes: number): boolean {
    return unsentBytes > this.limitBytes + this.largestFrame;
  }

  /** Replays wait while the client holds more than half the limit. */
  hasRoom(unsentBytes: number): boolean {
    return unsentBytes <= this.limitBytes / 2;
  }

  sent(frameBytes: number): void {
    if (frameBytes > this.largestFrame) this.largestFrame = frameBytes;
  }
}
