import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the model answers for the shipped email fixture (fixtures/intake.eml). */
export const INTAKE_ANSWER = {
  candidate_name: 'Dana Whitfield',
  job_title: 'Lead Data Engineer',
  location: 'Houston, TX',
  company_name: 'Northwind Energy Inc.',
  referrer_name: 'Priya Raman',
  referrer_email: null,
  phone: '(713) 555-0142',
  email: 'dana@northwind-energy.com',
  website: null,
  calendly_url: null,
  industry: 'Energy',
};

/**
 * A local OpenAI-compatible chat endpoint that streams a fixed JSON answer a few
 * characters at a time, `intervalMs` apart, as a model writes: the hosted model is the
 * external boundary the tests stand in for.
 */
export async function startLocalModel(answer: Record<string, unknown>, intervalMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const text = JSON.stringify(answer);
  const chunk = (delta: Record<string, unknown>, finish: string | null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'local', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    let offset = 0;
    const timer = setInterval(() => {
      if (offset >= text.length) {
        clearInterval(timer);
        response.end(`${chunk({}, 'stop')}data: [DONE]\n\n`);
        return;
      }
      response.write(chunk({ content: text.slice(offset, offset + 8) }, null));
      offset += 8;
    }, intervalMs);
    response.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
