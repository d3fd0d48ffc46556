import { CLOSE_CODES } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { openSocket, parseNdjson, parseSse } from './raw-clients.js';
import { useTestServer, type TestServer } from './test-server.js';

/** The key seed 003's script sends: a placeholder, which the local default lets through on loopback. */
const SCRIPT_KEY = 'your-secure-api-key-here';
/** The email of seed 003's script: a recruiter introduces a candidate. */
const TEST_EMAIL = {
  sender_email: 'john.referrer@wellpartners.com',
  sender_name: 'John Referrer',
  subject: 'Introduction - Kevin Sullivan for Senior Financial Advisor Role',
  body: `
    Hi Team,
    
    I wanted to introduce you to Kevin Sullivan who would be perfect for the 
    Senior Financial Advisor position in the Fort Wayne area.
    
    Kevin has over 10 years of experience in wealth management and has consistently 
    exceeded his targets. He's currently looking for new opportunities and would be 
    a great addition to your team.
    
    His phone number is (555) 123-4567 and email is kevin.sullivan@email.com.
    You can also find his LinkedIn profile at linkedin.com/in/kevinsullivan
    
    Please let me know if you'd like to schedule a call to discuss further.
    
    Best regards,
    John Referrer
    Well Partners Recruiting
    `,
  attachments: [],
};
/** A second email for the many-emails form: its writer is the candidate. */
const OWN_EMAIL = { sender_email: 'rosa.vance@postbox.test', sender_name: 'Rosa Vance', subject: 'Analyst role', body: 'Hello,\n\nI would like to apply for the Credit Analyst role.\n\nThanks,\nRosa Vance\n(614) 555-0163', attachments: [] };

interface SeedMessage {
  type: string;
  data: Record<string, unknown>;
  sequence?: number;
  index?: number;
}

/** The seed's stage names, in the order an email goes through them. */
const STAGES = ['extraction_start', 'extraction_field', 'research_start', 'research_result', 'validation_start', 'validation_result', 'zoho_start', 'zoho_progress', 'zoho_complete', 'complete'];

/** One email's messages as the seed's clients read them: its stage names in order, numbered 1, 2, 3 … with no gap, `complete` last, Kevin Sullivan the candidate. */
function expectOneEmail(messages: readonly SeedMessage[]): void {
  const types = messages.map((message) => message.type);
  expect(types[0]).toBe('extraction_start');
  expect(types.at(-1)).toBe('complete');
  for (const stage of STAGES) expect(types, stage).toContain(stage);
  expect(types.filter((type) => !STAGES.includes(type))).toEqual([]);
  // Stages that follow one another do so on the wire: nothing validated before it is read, nothing saved before it is valid.
  expect(types.lastIndexOf('extraction_field')).toBeLessThan(types.indexOf('validation_start'));
  expect(types.lastIndexOf('validation_result')).toBeLessThan(types.indexOf('zoho_start'));
  expect(types.lastIndexOf('zoho_progress')).toBeLessThan(types.indexOf('zoho_complete'));
  expect(messages.map((message) => message.sequence)).toEqual(messages.map((_, position) => position + 1));
  const fields = Object.fromEntries(messages.filter((message) => message.type === 'extraction_field').map((message) => [message.data['field'], message.data['value']]));
  expect(fields).toMatchObject({ candidate_name: 'Kevin Sullivan', email: 'kevin.sullivan@email.com', referrer_name: 'John Referrer', referrer_email: 'john.referrer@wellpartners.com' });
  // The script prints the company once research says `complete`.
  expect(messages.find((message) => message.type === 'research_result')?.data).toMatchObject({ status: 'complete', result: { company_name: expect.any(String) } });
  const result = messages.at(-1)?.data['result'] as Record<string, unknown>;
  expect(result).toMatchObject({ status: 'success', primary_email: 'kevin.sullivan@email.com', extracted: { candidate_name: 'Kevin Sullivan', referrer_name: 'John Referrer' } });
}

const post = (server: TestServer, path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': SCRIPT_KEY }) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Seed 003's test script, route by route with its own bodies, against the real server. */
describe('seed 003 script, in the local default (no key configured, loopback)', () => {
  const server = useTestServer();

  it('answers health open, and negotiate with the script\'s placeholder key', async () => {
    const health = await fetch(`${server().url}/stream/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'healthy', active_connections: 0, signalr_configured: false, features: { websocket: true, sse: true, batch_streaming: true } });
    const negotiated = await fetch(`${server().url}/stream/negotiate`, { headers: { 'x-api-key': SCRIPT_KEY } });
    expect(negotiated.status).toBe(200);
    expect(await negotiated.json()).toMatchObject({
      mode: 'websocket',
      url: expect.stringMatching(/^\/stream\/ws\/email-processing\?token=/),
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      features: { streaming: true, websocket: true, sse: true, signalr: false },
    });
  });

  it('streams the email over the WebSocket opened with no key, as the script does', async () => {
    const socket = openSocket(`${server().wsUrl}/stream/ws/email-processing`);
    await socket.opened;
    socket.socket.send(JSON.stringify({ type: 'process_email', data: TEST_EMAIL }));
    await socket.waitFor((frame) => (frame as unknown as SeedMessage).type === 'complete');
    const [established, ...messages] = socket.frames as unknown as SeedMessage[];
    expect(established).toMatchObject({ type: 'connection_established' });
    expectOneEmail(messages);
    socket.socket.close();
  });

  it('streams the email as SSE, each message named by its type and numbered', async () => {
    const response = await post(server(), '/stream/sse/process-email', TEST_EMAIL);
    expect(response.status).toBe(200);
    const messages = parseSse(await response.text());
    for (const message of messages) expect(message.event).toBe((message.data as unknown as SeedMessage).type);
    expectOneEmail(messages.map((message) => message.data as unknown as SeedMessage));
  });

  it('streams the original single-email batch body as NDJSON {type, data, sequence}, by default and with stream_chunks=true', async () => {
    for (const query of ['?stream_chunks=true', '']) {
      const response = await post(server(), `/stream/batch/process-email${query}`, TEST_EMAIL);
      expect(response.status, query).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const lines = parseNdjson(await response.text()) as unknown as SeedMessage[];
      for (const line of lines) expect(Object.keys(line).sort(), query).toEqual(['data', 'sequence', 'type']);
      expectOneEmail(lines);
    }
  });

  it('answers once with {status, data, processing_time} with stream_chunks=false', async () => {
    const response = await post(server(), '/stream/batch/process-email?stream_chunks=false', TEST_EMAIL);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const answer = (await response.json()) as { status: string; data: Record<string, unknown>; processing_time: string };
    expect(Object.keys(answer).sort()).toEqual(['data', 'processing_time', 'status']);
    expect(answer.status).toBe('success');
    expect(answer.data).toMatchObject({ status: 'success', primary_email: 'kevin.sullivan@email.com', extracted: { candidate_name: 'Kevin Sullivan', referrer_email: 'john.referrer@wellpartners.com' } });
    expect(new Date(answer.processing_time).toISOString()).toBe(answer.processing_time);
  });

  it('streams the many-emails form with the seed\'s names, each email numbered on its own and tagged with its index', async () => {
    const response = await post(server(), '/stream/batch/process-email', { emails: [TEST_EMAIL, OWN_EMAIL] });
    expect(response.status).toBe(200);
    const lines = parseNdjson(await response.text()) as unknown as SeedMessage[];
    expectOneEmail(lines.filter((line) => line.index === 0));
    const own = lines.filter((line) => line.index === 1);
    expect(own.map((line) => line.sequence)).toEqual(own.map((_, position) => position + 1));
    expect(own.at(-1)).toMatchObject({ type: 'complete', data: { result: { extracted: { candidate_name: 'Rosa Vance' } } } });
    expect(lines.every((line) => line.index === 0 || line.index === 1)).toBe(true);
  });

  it('refuses a batch body or query it cannot read with a 4xx and a stable code', async () => {
    const refused = async (path: string, body: unknown) => {
      const response = await post(server(), path, body);
      return { status: response.status, code: ((await response.json()) as { code: string }).code };
    };
    expect(await refused('/stream/batch/process-email', 'just text')).toEqual({ status: 400, code: 'validation_failed' });
    expect(await refused('/stream/batch/process-email', { emails: [] })).toEqual({ status: 400, code: 'validation_failed' });
    expect(await refused('/stream/batch/process-email?stream_chunks=maybe', TEST_EMAIL)).toEqual({ status: 400, code: 'validation_failed' });
    expect(await refused('/stream/batch/process-email?stream_chunks=false', { emails: [TEST_EMAIL] })).toEqual({ status: 400, code: 'validation_failed' });
    const noBody = await refused('/stream/batch/process-email', { sender_email: 'a@b.test', body: 42 });
    expect(noBody.status).toBeGreaterThanOrEqual(400);
    expect(noBody.status).toBeLessThan(500);
    expect(typeof noBody.code).toBe('string');
  });
});

describe('seed 003 routes with a key configured', () => {
  const KEY = 'seed-003-configured-key';
  const server = useTestServer({ UNFOLD_API_KEYS: KEY });

  it('takes the key as X-API-Key or as ?api_key= on every protected seed route, and refuses a wrong or missing one', async () => {
    const status = async (path: string, init: RequestInit = {}) => (await fetch(`${server().url}${path}`, init)).status;
    expect(await status(`/stream/negotiate?api_key=${KEY}`)).toBe(200);
    expect(await status('/stream/negotiate', { method: 'POST', headers: { 'x-api-key': KEY } })).toBe(200);
    expect(await status(`/stream/metrics?api_key=${KEY}`)).toBe(200);
    expect(await status('/stream/negotiate')).toBe(401);
    // The script's placeholder is no key of this server's.
    expect(await status(`/stream/negotiate?api_key=${SCRIPT_KEY}`)).toBe(401);
    expect(await status('/stream/negotiate', { headers: { 'x-api-key': SCRIPT_KEY } })).toBe(401);
    // Two different keys are refused rather than one guessed at.
    const both = await fetch(`${server().url}/stream/negotiate?api_key=${SCRIPT_KEY}`, { headers: { 'x-api-key': KEY } });
    expect(both.status).toBe(401);
    expect(((await both.json()) as { message: string }).message).toContain('different keys');
    const repeated = await fetch(`${server().url}/stream/negotiate?api_key=${KEY}&api_key=${KEY}`);
    expect(repeated.status).toBe(401);
    expect(((await repeated.json()) as { message: string }).message).toContain('api_key query parameter is malformed');
    // Only the seed's routes take a key in the query.
    expect(await status(`/v1/runs?api_key=${KEY}`)).toBe(401);

    const inQuery = { 'content-type': 'application/json' };
    const sse = parseSse(await (await post(server(), `/stream/sse/process-email?api_key=${KEY}`, TEST_EMAIL, inQuery)).text());
    expectOneEmail(sse.map((message) => message.data as unknown as SeedMessage));
    expectOneEmail(parseNdjson(await (await post(server(), `/stream/batch/process-email?stream_chunks=true&api_key=${KEY}`, TEST_EMAIL, inQuery)).text()) as unknown as SeedMessage[]);
    const once = (await (await post(server(), `/stream/batch/process-email?stream_chunks=false&api_key=${KEY}`, TEST_EMAIL, inQuery)).json()) as { status: string };
    expect(once.status).toBe('success');
    const many = parseNdjson(await (await post(server(), `/stream/batch/process-email?api_key=${KEY}`, { emails: [TEST_EMAIL] }, inQuery)).text()) as unknown as SeedMessage[];
    expectOneEmail(many);
    expect((await post(server(), '/intake/email?api_key=wrong', TEST_EMAIL, inQuery)).status).toBe(401);
    expect(((await (await post(server(), `/intake/email?api_key=${KEY}`, TEST_EMAIL, inQuery)).json()) as { extracted: Record<string, string> }).extracted['candidate_name']).toBe('Kevin Sullivan');
  });

  it('still requires a key on the WebSocket: refused without one, served with ?api_key=', async () => {
    const refused = openSocket(`${server().wsUrl}/stream/ws/email-processing`);
    expect((await refused.closed).code).toBe(CLOSE_CODES.unauthorized);
    const socket = openSocket(`${server().wsUrl}/stream/ws/email-processing?api_key=${KEY}`);
    await socket.opened;
    socket.socket.send(JSON.stringify({ type: 'process_email', data: TEST_EMAIL }));
    await socket.waitFor((frame) => (frame as unknown as SeedMessage).type === 'complete');
    expectOneEmail((socket.frames as unknown as SeedMessage[]).slice(1));
    socket.socket.close();
  });
});
