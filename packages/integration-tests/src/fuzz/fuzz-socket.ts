import { WebSocket } from 'ws';
import type { FuzzFrame } from './frame-arbitraries.js';

/** What a message caused: the frames it got and a close, or silence (then the socket is replaced). */
export type FrameAnswer = { kind: 'frames'; texts: string[]; closed?: number } | { kind: 'silent'; texts: string[] };

/** The upgrade was refused with a plain HTTP answer. */
export type Refusal = { kind: 'refused'; status: number; body: string };

/** `unsendable`: a URL the client library refuses to send, which is not the server's doing. */
export type OpenAnswer = { kind: 'open' } | Refusal | { kind: 'unsendable' };

const BARRIER_MS = 3_000;

/**
 * A socket the fuzz sends one message at a time, each followed by a JSON ping: the pong
 * marks the end of what the message caused, so every frame is checked against its input.
 */
export class FuzzSocket {
  private socket: WebSocket | undefined;
  private texts: string[] = [];
  private closed: number | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly ping: string,
    private readonly isPong: (text: string) => boolean,
    /** Stops waiting for the pong at once, e.g. when the server has already crashed. */
    private readonly giveUp: () => boolean = () => false,
  ) {}

  /** Opens (or replaces) the socket; answers the refusal when the upgrade is refused. */
  async open(url: string): Promise<OpenAnswer> {
    this.dispose();
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch {
      return { kind: 'unsendable' };
    }
    this.socket = socket;
    this.texts = [];
    this.closed = undefined;
    // Errors after the handshake end in a close, which is what the oracle reads.
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      this.texts.push(data.toString());
      this.wake?.();
    });
    socket.on('close', (code) => {
      this.closed = code;
      this.wake?.();
    });
    return new Promise<OpenAnswer>((resolve) => {
      socket.once('open', () => resolve({ kind: 'open' }));
      socket.once('unexpected-response', (request, response) => {
        let body = '';
        const refused = () => {
          // With this listener ws leaves the refused request open; it must not hold a connection.
          request.destroy();
          resolve({ kind: 'refused', status: response.statusCode ?? 0, body });
        };
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', refused);
        response.on('error', refused);
      });
      socket.once('error', (error) => resolve({ kind: 'refused', status: 0, body: error.message }));
    });
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /**
   * Sends the frame and the barrier ping; resolves with everything received since the last
   * answer (what the socket said on opening included) until the pong or a close.
   */
  async send(frame: FuzzFrame): Promise<FrameAnswer> {
    const socket = this.socket;
    if (!socket) throw new Error('the fuzz socket was never opened');
    if (socket.readyState === WebSocket.OPEN) {
      socket.send(frame.kind === 'text' ? frame.text : frame.bytes, { binary: frame.kind === 'binary' });
      socket.send(this.ping);
    }
    const deadline = Date.now() + BARRIER_MS;
    while (this.closed === undefined && !this.texts.some(this.isPong) && Date.now() < deadline && !this.giveUp()) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    this.wake = undefined;
    const received = this.texts;
    this.texts = [];
    const texts = received.filter((text) => !this.isPong(text));
    if (this.closed !== undefined) return { kind: 'frames', texts, closed: this.closed };
    if (!received.some(this.isPong)) return { kind: 'silent', texts };
    return { kind: 'frames', texts };
  }

  dispose(): void {
    this.socket?.removeAllListeners('close');
    this.socket?.terminate();
    this.socket = undefined;
  }
}
