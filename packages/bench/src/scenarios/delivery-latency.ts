import type { Child } from '../child-process.js';
import { LatencyRecorder, type LatencySummary } from '../latency-recorder.js';
import { openMany, postRun, subscribe } from '../subscribers.js';

export interface LatencyResult extends LatencySummary {
  events: number;
  events_per_second: number;
  seconds: number;
}

/**
 * `clients` WebSockets watch `runs` demo runs (clients spread evenly over runs), all
 * subscribed before their run starts; the runs start spread over one second.
 */
export async function deliveryLatency(server: Child, options: { clients: number; runs: number; tag: string }): Promise<LatencyResult> {
  const latency = new LatencyRecorder();
  const counter = { events: 0 };
  const wsUrl = server.url.replace(/^http/, 'ws');
  const runId = (index: number) => `${options.tag}-${index % options.runs}`;
  const subscribers = await openMany(options.clients, (index) => subscribe(`${wsUrl}/v1/runs/${runId(index)}/ws`, latency, counter));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.runs }, async (_, index) => {
      await new Promise((resolve) => setTimeout(resolve, (index / options.runs) * 1_000));
      await postRun(server.url, { pipeline: 'demo', input: {}, run_id: runId(index) });
    }),
  );
  await Promise.all(subscribers.map((subscriber) => subscriber.closed));
  const seconds = (performance.now() - started) / 1000;
  return { ...latency.summary(), events: counter.events, events_per_second: Math.round(counter.events / seconds), seconds: round(seconds) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The ceiling for a fan-out: the bare `ws` server sends `events` messages to `clients` at the demo's pace and burst size. */
export async function bareFanoutLatency(bare: Child, options: { clients: number; events: number; burst: number; intervalMs: number }): Promise<LatencyResult> {
  const latency = new LatencyRecorder();
  const counter = { events: 0 };
  const subscribers = await openMany(options.clients, () => subscribe(bare.url, latency, counter));
  const started = performance.now();
  await bare.send({ type: 'paced', count: options.events, burst: options.burst, intervalMs: options.intervalMs, payload: { event_type: 'tool_progress', run_id: 'bare', pipeline: 'demo', metadata: {}, tool_name: 'read_text', status: 'running', progress: 50 } });
  while (counter.events < options.clients * options.events) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  for (const subscriber of subscribers) subscriber.socket.close();
  await Promise.all(subscribers.map((subscriber) => subscriber.closed));
  return { ...latency.summary(), events: counter.events, events_per_second: Math.round(counter.events / seconds), seconds: round(seconds) };
}
