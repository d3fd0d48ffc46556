import { WebSocket } from 'ws';

export type Frame = Record<string, unknown> & { event_type: string; seq?: number };

/** Opens a WebSocket and collects every frame (arrays flattened) until it closes. */
export function openSocket(url: string, options: { headers?: Record<string, string> } = {}) {
  const socket = new WebSocket(url, { headers: options.headers ?? {} });
  const frames: Frame[] = [];
  const texts: string[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    const text = data.toString();
    texts.push(text);
    if (text === 'pong') return waiters.splice(0).forEach((wake) => wake());
    const parsed = JSON.parse(text) as Frame | Frame[];
    frames.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    waiters.splice(0).forEach((wake) => wake());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      waiters.splice(0).forEach((wake) => wake());
    });
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  /** Resolves when a frame matching `predicate` has arrived (or rejects on timeout). */
  const waitFor = async (predicate: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = frames.find(predicate);
      if (found) return found;
      if (socket.readyState === WebSocket.CLOSED || Date.now() > deadline) throw new Error(`no matching frame; got ${frames.map((frame) => frame.event_type).join(',')}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  };
  return { socket, frames, texts, opened, closed, waitFor };
}

/** Reads a whole streamed HTTP answer (SSE or NDJSON) until the server ends it. */
export async function readStream(url: string, accept: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, { headers: { accept, ...headers } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export function parseNdjson(text: string): Frame[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Frame);
}

export interface SseMessage {
  id?: string;
  event?: string;
  data: Frame;
}

export function parseSse(text: string): SseMessage[] {
  return text
    .split('\n\n')
    .filter((block) => block.split('\n').some((line) => line.startsWith('data:')))
    .map((block) => {
      const message: Partial<SseMessage> = {};
      for (const line of block.split('\n')) {
        const [field, ...rest] = line.split(': ');
        const value = rest.join(': ');
        if (field === 'id') message.id = value;
        if (field === 'event') message.event = value;
        if (field === 'data') message.data = JSON.parse(value) as Frame;
      }
      return message as SseMessage;
    });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export const stored = (frames: Frame[]): Frame[] => frames.filter((frame) => typeof frame.seq === 'number');

export function expectGapless(frames: Frame[], from = 1): boolean {
  return stored(frames).every((frame, index) => frame.seq === from + index);
}
