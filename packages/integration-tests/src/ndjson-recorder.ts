import type { Frame } from './raw-clients.js';

export interface NdjsonRecorder {
  /** Every frame received so far, in order. */
  readonly frames: Frame[];
  /** Settles when the stream ends, normally or because the connection broke. */
  readonly ended: Promise<void>;
}

/**
 * Follows a run's NDJSON stream and records every frame as it arrives, the way a client
 * that may be cut off at any moment sees it: what it recorded is what it was told.
 */
export function recordNdjson(url: string): NdjsonRecorder {
  const frames: Frame[] = [];
  const ended = (async () => {
    const response = await fetch(url, { headers: { accept: 'application/x-ndjson' } });
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    const reader = response.body.getReader();
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      buffered += decoder.decode(part.value, { stream: true });
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') frames.push(JSON.parse(line) as Frame);
    }
  })().catch(() => undefined);
  return { frames, ended };
}
