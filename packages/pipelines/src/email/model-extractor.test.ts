import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { runInMemory } from '@unfold/engine';
import type { UnfoldEvent } from '@unfold/protocol';
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailPipeline } from './email-pipeline.js';
import { modelExtractor } from './model-extractor.js';

const email = { sender_name: 'Dana Whitfield', sender_email: 'dana@northwind-energy.com', subject: 'Data role', body: 'Hi, I would like to talk about the data role.\n\nThanks,\nDana' };
const ANSWER = JSON.stringify({
  candidate_name: 'Dana Whitfield',
  job_title: 'Lead Data Engineer',
  location: 'Houston, TX',
  company_name: 'Northwind Energy Inc.',
  referrer_name: null,
  referrer_email: null,
  phone: '(713) 555-0142',
  email: 'dana@northwind-energy.com',
  website: null,
  calendly_url: null,
  industry: 'Energy',
});
/** The answer cut into the small pieces a model streams. */
const pieces = (text: string, size = 7) => Array.from({ length: Math.ceil(text.length / size) }, (_, index) => text.slice(index * size, (index + 1) * size));

function mockModel(text: string) {
  return new MockLanguageModelV3({
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          { type: 'stream-start' as const, warnings: [] },
          { type: 'text-start' as const, id: 't' },
          ...pieces(text).map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
          { type: 'text-end' as const, id: 't' },
          {
            type: 'finish' as const,
            finishReason: { unified: 'stop' as const, raw: 'stop' },
            usage: { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 20, text: 20, reasoning: 0 } },
          },
        ],
      }),
    }),
  });
}

const typeAndField = (event: UnfoldEvent) => (event.event_type === 'extraction_field' ? `field:${event.field_name}` : event.event_type);

describe('model extractor', () => {
  it('streams tokens, and each field as soon as the answer moves past it, then validates the answer', async () => {
    const pipeline = createEmailPipeline({ extractor: modelExtractor(mockModel(ANSWER)) });
    const { store, outcome } = await runInMemory(pipeline, email, { runId: 'm' });
    const events = (await store.events.read('m', 0, 1_000)).map(typeAndField);
    const tokens = (await store.events.read('m', 0, 1_000)).filter((event) => event.event_type === 'extraction_token');
    expect(tokens.map((event) => (event as { delta: string }).delta).join('')).toBe(ANSWER);
    expect(tokens.map((event) => (event as { index: number }).index)).toEqual(tokens.map((_, index) => index));
    // The name is announced while tokens are still arriving, not after the last one.
    expect(events.indexOf('field:candidate_name')).toBeLessThan(events.lastIndexOf('extraction_token'));
    expect(events.filter((event) => event.startsWith('field:'))).toEqual(['field:candidate_name', 'field:job_title', 'field:location', 'field:company_name', 'field:phone', 'field:email', 'field:industry']);
    expect(outcome.terminal).toMatchObject({ event_type: 'processing_completed', result: { extracted: { candidate_name: 'Dana Whitfield', phone: '+17135550142', location: 'Houston, TX' } } });
  });

  it('fails the run with tool_failed, without retrying, when the model answers broken JSON', async () => {
    const pipeline = createEmailPipeline({ extractor: modelExtractor(mockModel('{"candidate_name": "Dana", "job_ti')) });
    const { store, outcome } = await runInMemory(pipeline, email, { runId: 'b' });
    expect(outcome.terminal).toMatchObject({ event_type: 'processing_failed', code: 'tool_failed', tool_name: 'extract' });
    expect((await store.events.read('b', 0, 1_000)).some((event) => event.event_type === 'tool_retrying')).toBe(false);
  });
});

describe('model extractor against a local OpenAI-compatible endpoint', () => {
  let server: Server | undefined;
  afterEach(async () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** Streams chat-completion chunks as a vLLM or Ollama server does; the first `failures` requests get a 503. */
  async function startEndpoint(failures: number): Promise<{ url: string; requests: () => number }> {
    let count = 0;
    server = createServer((request, response) => {
      count++;
      request.resume();
      if (count <= failures) {
        response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'overloaded' } }));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const delta of pieces(ANSWER)) {
        response.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'local', choices: [{ index: 0, delta: { content: delta }, finish_reason: null }] })}\n\n`);
      }
      response.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'local', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
      response.end('data: [DONE]\n\n');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests: () => count };
  }

  it('streams through the AI SDK provider, retrying a 503 with backoff', async () => {
    const endpoint = await startEndpoint(1);
    const model = createOpenAICompatible({ name: 'local', baseURL: endpoint.url, apiKey: 'test-key', supportsStructuredOutputs: true })('local-model');
    const pipeline = createEmailPipeline({ extractor: modelExtractor(model) });
    const { store, outcome } = await runInMemory(pipeline, email, { runId: 'o' });
    const events = await store.events.read('o', 0, 1_000);
    expect(events.some((event) => event.event_type === 'tool_retrying' && event.tool_name === 'extract')).toBe(true);
    expect(events.filter((event) => event.event_type === 'extraction_token').length).toBeGreaterThan(10);
    expect(outcome.terminal).toMatchObject({ event_type: 'processing_completed', result: { extracted: { company_name: 'Northwind Energy Inc.' } } });
    expect(endpoint.requests()).toBe(2);
  });
});
