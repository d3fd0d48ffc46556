import { isTerminalEventType } from '@unfold/protocol';

/** What one client saw wrong in its own stream of one run. */
export interface StreamFaults {
  /** Positions skipped: seq jumped past one the client never had. */
  gaps: number;
  /** Events received again at or below a position the client already had. */
  duplicates: number;
  /** Stored events that came after the run's terminal event. */
  afterTerminal: number;
}

/**
 * One client's view of one run, across every connection it makes to follow it: each
 * stored event must come exactly once, in seq order, with the terminal event last. A
 * resume asks for the events after `position`, so a server that replays or skips shows
 * here.
 */
export class StreamCheck {
  readonly faults: StreamFaults = { gaps: 0, duplicates: 0, afterTerminal: 0 };
  private last = 0;
  private terminal = false;
  received = 0;

  /** The seq to resume after. */
  get position(): number {
    return this.last;
  }

  get finished(): boolean {
    return this.terminal;
  }

  /** Takes a frame off the wire; control frames (no seq) are not the log's and are ignored. */
  see(frame: { seq?: unknown; event_type?: unknown }): void {
    if (typeof frame.seq !== 'number') return;
    this.received++;
    if (this.terminal) this.faults.afterTerminal++;
    if (frame.seq <= this.last) {
      this.faults.duplicates++;
      return;
    }
    this.faults.gaps += frame.seq - this.last - 1;
    this.last = frame.seq;
    if (typeof frame.event_type === 'string' && isTerminalEventType(frame.event_type)) this.terminal = true;
  }
}
