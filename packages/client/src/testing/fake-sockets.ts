import type { WebSocketConstructor } from '../transports/websocket-transport.js';

/** A WebSocket the test drives: its URL, what it was sent and how it was closed are kept. */
export interface FakeSocket {
  readonly url: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  sent: string[];
  closedWith: [number | undefined, string | undefined] | undefined;
}

/** A WebSocket class to inject, and every socket opened through it, in order. */
export function fakeSockets(): { sockets: FakeSocket[]; WebSocket: WebSocketConstructor } {
  const sockets: FakeSocket[] = [];
  class Socket implements FakeSocket {
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: unknown }) => void) | null = null;
    onclose: ((event: { code: number; reason: string }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    sent: string[] = [];
    closedWith: [number | undefined, string | undefined] | undefined;
    constructor(readonly url: string) {
      sockets.push(this);
    }
    close(code?: number, reason?: string): void {
      this.closedWith = [code, reason];
    }
    send(data: string): void {
      this.sent.push(data);
    }
  }
  return { sockets, WebSocket: Socket as unknown as WebSocketConstructor };
}
