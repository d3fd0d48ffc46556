import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { runInMemory } from '@unfold/engine';
import { createEmailPipeline, modelExtractor } from '@unfold/pipelines';
import { LatencyRecorder, type LatencySummary } from '../latency-recorder.js';

const ANSWER = JSON.stringify({ candidate_name: 'Dana Whitfield', job_title: 'Lead Data Engineer', location: 'Houston, TX', company_name: 'Northwind Energy Inc.', referrer_name: null, referrer_email: null, phone: '(713) 555-0142', email: 'dana@northwind-energy.com', website: null, calendly_url: null, industry: 'Energy' });

/**
 * The model's first byte → the first `extraction_token` in the run's log, with the model
 * extractor against a local OpenAI-compatible streaming endpoint in this process (one
 * clock for both ends). The endpoint waits 20 ms before its first byte, as a model thinks.
 */
export async function modelFirstTokenLatency(runs: number): Promise<LatencySummary> {
  let firstByteAt = 0;
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    setTimeout(() => {
      const chunk = (content: string) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
      firstByteAt = performance.now();
      for (let index = 0; index < ANSWER.length; index += 6) response.write(chunk(ANSWER.slice(index, index + 6)));
      response.end(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    }, 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const model = createOpenAICompatible({ name: 'bench', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, supportsStructuredOutputs: true })('bench');
  const pipeline = createEmailPipeline({ extractor: modelExtractor(model) });
  const latency = new LatencyRecorder();
  const email = { sender_name: 'Dana Whitfield', sender_email: 'dana@northwind-energy.com', subject: 'Data role', body: 'Hi,\n\nThanks,\nDana' };
  for (let index = 0; index < runs; index++) {
    let firstToken = 0;
    await runInMemory(pipeline, email, {
      runId: `token-${index}`,
      onStore: (store) => {
        store.events.onAppend(`token-${index}`, (event) => {
          if (event.event_type === 'extraction_token' && firstToken === 0) firstToken = performance.now();
        });
      },
    });
    latency.record(firstToken - firstByteAt);
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return latency.summary();
}
