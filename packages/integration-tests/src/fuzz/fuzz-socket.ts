import { WebSocket } from 'ws';
import type { FuzzFrame } from './frame-arbitraries.js';

export type SocketAnswer =
  | { kind: 'frames'; texts: string[]; closed?: number }
  /** The upgrade was refused with a plain HTTP answer. */
  | { kind: 'refused'; status: number; body: string }
  /** Neither a pong nor a close within the wait: the socket is replaced. */
  | { kind: 'silent'; texts: string[] };

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
  ) {}

  /** Opens (or replaces) the socket; answers the refusal when the upgrade is refused. */
  async open(url: string): Promise<SocketAnswer> {
    this.dispose();
    const socket = new WebSocket(url);
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
    return new Promise<SocketAnswer>((resolve) => {
      socket.once('open', () => resolve({ kind: 'frames', texts: [] }));
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
  async send(frame: FuzzFrame): Promise<SocketAnswer> {
    const socket = this.socket;
    if (!socket) throw new Error('the fuzz socket was never opened');
    if (socket.readyState === WebSocket.OPEN) {
      socket.send(frame.kind === 'text' ? frame.text : frame.bytes, { binary: frame.kind === 'binary' });
      socket.send(this.ping);
    }
    const deadline = Date.now() + BARRIER_MS;
    while (this.closed === undefined && !this.texts.some(this.isPong) && Date.now() < deadline) {
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
