import type { Child } from '../child-process.js';
import { LatencyRecorder, type LatencySummary } from '../latency-recorder.js';
import { postRun } from '../subscribers.js';
import { WebSocket } from 'ws';

const EMAIL = {
  sender_name: 'Dana Whitfield',
  sender_email: 'dana@northwind-energy.com',
  subject: 'Data role',
  body: 'Hi,\n\nI would like to talk about the role.\n\nThanks,\nDana Whitfield\nLead Data Engineer\nNorthwind Energy Inc.\nHouston, TX\nDirect: (713) 555-0142',
};

/**
 * Request → first `extraction_field` at the client, for email runs with the rules
 * extractor: a subscriber is connected first, then the run is posted and timed.
 */
export async function firstFieldLatency(server: Child, runs: number): Promise<LatencySummary> {
  const latency = new LatencyRecorder();
  const wsUrl = server.url.replace(/^http/, 'ws');
  for (let index = 0; index < runs; index++) {
    const runId = `first-field-${index}`;
    const socket = new WebSocket(`${wsUrl}/v1/runs/${runId}/ws?types=extraction_field`);
    await new Promise((resolve) => socket.once('open', resolve));
    const firstField = new Promise<number>((resolve) => {
      socket.on('message', (data) => {
        if (data.toString().includes('"extraction_field"')) resolve(performance.now());
      });
    });
    const sent = performance.now();
    await postRun(server.url, { pipeline: 'email', run_id: runId, input: EMAIL });
    latency.record((await firstField) - sent);
    socket.close();
  }
  return latency.summary();
}
