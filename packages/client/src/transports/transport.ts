import type { ControlFrame, TransportName, UnfoldError, UnfoldEvent } from '@unfold/protocol';

export type StreamFrame = UnfoldEvent | ControlFrame;

export interface TransportRequest {
  /** Absolute URL of the run's stream, position and filters in its query. */
  url: string;
  /** The last seq the client holds. */
  after: number;
  fetch: typeof fetch;
  headers: Record<string, string>;
}

/** Why a connection ended. `error` is set when it broke rather than ended as planned. */
export interface TransportEnd {
  error?: UnfoldError;
}

export interface TransportSink {
  frame(frame: StreamFrame): void;
  /** Called exactly once, after the last frame. */
  end(end: TransportEnd): void;
}

export interface TransportConnection {
  close(): void;
  /**
   * Moves the live connection onto a new stream token before its own expires. Only where a
   * connection outlives its token and can be told so (WebSocket); absent elsewhere.
   */
  refresh?(token: string): void;
}

/**
 * One way to carry a run's frames. Transports are injected into the client, so a test,
 * a platform or an app can add, remove or reorder them.
 */
export interface Transport {
  readonly name: TransportName;
  open(request: TransportRequest, sink: TransportSink): TransportConnection;
}

/** Calls `end` at most once, whatever path a transport's shutdown takes. */
export function onceEnd(sink: TransportSink): TransportSink {
  let ended = false;
  return {
    frame: (frame) => {
      if (!ended) sink.frame(frame);
    },
    end: (end) => {
      if (ended) return;
      ended = true;
      sink.end(end);
    },
  };
}
