import type { Child } from '../child-process.js';
import { openMany, postRun, subscribe } from '../subscribers.js';

export interface SaturationResult {
  unfold_events_per_second: number;
  bare_ws_events_per_second: number;
  ratio: number;
}

/**
 * Events/s delivered when producers go as fast as they can: `clients` subscribers, each
 * on its own run emitting `events` events, against the bare `ws` server sending each of
 * the same number of clients the same number of same-sized messages.
 */
export async function saturation(unfold: Child, bare: Child, options: { clients: number; events: number; size: number; batch: boolean }): Promise<SaturationResult> {
  const unfoldCounter = { events: 0 };
  const tag = options.batch ? 'batched' : 'single';
  const wsUrl = unfold.url.replace(/^http/, 'ws');
  const subscribers = await openMany(options.clients, (index) => subscribe(`${wsUrl}/v1/runs/burst-${index}-${tag}/ws${options.batch ? '?batch=1' : ''}`, undefined, unfoldCounter));
  let started = performance.now();
  await Promise.all(Array.from({ length: options.clients }, (_, index) => postRun(unfold.url, { pipeline: 'burst', run_id: `burst-${index}-${tag}`, input: { events: options.events, size: options.size } })));
  await Promise.all(subscribers.map((subscriber) => subscriber.closed));
  const unfoldRate = unfoldCounter.events / ((performance.now() - started) / 1000);

  const bareCounter = { events: 0 };
  const bareSubscribers = await openMany(options.clients, () => subscribe(bare.url, undefined, bareCounter));
  const expected = options.clients * options.events;
  started = performance.now();
  const payload = { event_type: 'extraction_token', run_id: 'bare', pipeline: 'burst', metadata: {}, delta: 'x'.repeat(options.size), index: 0 };
  await bare.send({ type: 'broadcast', count: options.events, payload });
  while (bareCounter.events < expected) await new Promise((resolve) => setTimeout(resolve, 5));
  const bareRate = bareCounter.events / ((performance.now() - started) / 1000);
  for (const subscriber of bareSubscribers) subscriber.socket.close();
  return {
    unfold_events_per_second: Math.round(unfoldRate),
    bare_ws_events_per_second: Math.round(bareRate),
    ratio: Math.round((unfoldRate / bareRate) * 100) / 100,
  };
}
