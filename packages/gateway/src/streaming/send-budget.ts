/**
 * When a connection has fallen too far behind its client. The measure is what the client
 * has not taken, not what the server just wrote, and the limit grows by the largest frame
 * the connection has been sent, so one event larger than the limit (a long receipt's
 * words) passes on its own and does not cut off the fast reader it was sent to.
 *
 * A burst (the frames of one turn of the event loop) is corked so it costs one system
 * call; corked bytes cannot be taken, so they are not held against the client until the
 * burst itself passes the limit. Past that the connection is uncorked, the kernel takes
 * what the client can read, and every further write is checked: a connection holds at
 * most the limit and its largest frame, however large a burst a pipeline emits.
 */
export class SendBudget {
  private largestFrame = 0;

  constructor(private readonly limitBytes: number) {}

  /** With the bytes the client has not taken yet (nothing corked among them). */
  isBehind(unsentBytes: number): boolean {
    return unsentBytes > this.limitBytes + this.largestFrame;
  }

  /** Replays wait while the client holds more than half the limit. */
  hasRoom(unsentBytes: number): boolean {
    return unsentBytes <= this.limitBytes / 2;
  }

  /** Whether the bytes corked in this burst are enough to send now rather than hold. */
  isBurstFull(corkedBytes: number): boolean {
    return corkedBytes > this.limitBytes;
  }

  /** Before a frame is written: the largest frame raises the limit for itself. */
  sent(frameBytes: number): void {
    if (frameBytes > this.largestFrame) this.largestFrame = frameBytes;
  }
}
