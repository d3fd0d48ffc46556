import fc from 'fast-check';
import { depthArb, edgeNumberArb, nestedJsonText, nestedValue, oddJsonTextArb, pathParamArb, unicodeStringArb, validRunIdArb, weirdValueArb } from './weird-values.js';

/** One HTTP request of the fuzz: path already encoded, body as text or bytes. */
export interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

/** Sometimes the valid value, sometimes anything at all, sometimes absent. */
const maybe = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: weirdValueArb, weight: 1 });

/** A header value fetch can send (visible ASCII and Latin-1, no line breaks). */
const headerValueArb = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 60 }),
  edgeNumberArb.map(String),
  fc.constantFrom('', '-1', '0', '1e400', 'NaN', '999999999999999999999', '01', ' 3', '3 ', '0x10'),
);

const queryValueArb = fc.oneof(headerValueArb, unicodeStringArb.map((text) => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '?'))), fc.constantFrom('%', '%zz', '%E0%A4', '&', '='));

const demoInputArb = fc.record({ pace: maybe(fc.constantFrom(0, 0.001)), fail_tool: maybe(fc.constantFrom('read_text', 'validate', 'nope')), flaky: maybe(fc.boolean()), extra: weirdValueArb }, { requiredKeys: [] });

const boxArb = fc.record({ x: maybe(edgeNumberArb), y: maybe(edgeNumberArb), width: maybe(edgeNumberArb), height: maybe(edgeNumberArb) }, { requiredKeys: [] });
const wordArb = fc.record({ word_id: maybe(fc.nat(500)), line_id: maybe(fc.nat(50)), text: maybe(unicodeStringArb), bounding_box: maybe(boxArb), confidence: maybe(fc.double({ min: 0, max: 1, noNaN: true })) }, { requiredKeys: [] });
const sroieLineArb = fc.tuple(fc.array(edgeNumberArb.map(String), { minLength: 0, maxLength: 9 }), unicodeStringArb).map(([numbers, text]) => [...numbers, text].join(','));
const receiptInputArb = fc.oneof(
  fc.record({ words: maybe(fc.array(wordArb, { maxLength: 20 })), receipt_id: maybe(unicodeStringArb) }, { requiredKeys: [] }),
  fc.record({ sroie_boxes: maybe(fc.array(sroieLineArb, { maxLength: 20 }).map((lines) => lines.join('\n'))), receipt_id: maybe(unicodeStringArb) }, { requiredKeys: [] }),
  fc.record({ image_base64: maybe(fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64'))) }, { requiredKeys: [] }),
  // Refused at once by the local machine: a fetched image never leaves it.
  fc.record({ image_url: maybe(fc.constantFrom('http://127.0.0.1:9/receipt.jpg', 'https://127.0.0.1:9/r.png', 'file:///etc/passwd', 'ftp://x/y', 'javascript:alert(1)')) }, { requiredKeys: [] }),
);

/** A MIME message, valid-looking or broken: headers, folding, boundaries and encodings gone wrong. */
export const mimeTextArb = fc
  .record({
    headers: fc.array(fc.tuple(fc.constantFrom('From', 'To', 'Subject', 'Content-Type', 'Content-Transfer-Encoding', 'MIME-Version', 'X-Weird', ''), unicodeStringArb), { maxLength: 8 }),
    boundary: fc.option(unicodeStringArb, { nil: undefined }),
    encoding: fc.constantFrom('base64', 'quoted-printable', '7bit', 'x-unknown', ''),
    parts: fc.array(unicodeStringArb, { maxLength: 4 }),
    lineBreak: fc.constantFrom('\r\n', '\n', '\r'),
  })
  .map(({ headers, boundary, encoding, parts, lineBreak }) => {
    const lines = headers.map(([name, value]) => `${name}: ${value}`);
    if (boundary === undefined) return [...lines, `Content-Transfer-Encoding: ${encoding}`, '', ...parts].join(lineBreak);
    lines.push(`Content-Type: multipart/mixed; boundary="${boundary}"`, '');
    for (const part of parts) lines.push(`--${boundary}`, `Content-Transfer-Encoding: ${encoding}`, 'Content-Type: text/plain', '', part);
    return [...lines, `--${boundary}--`].join(lineBreak);
  });

const emailInputArb = fc.oneof(
  fc.record({ raw: maybe(mimeTextArb) }, { requiredKeys: [] }),
  fc.record(
    {
      sender_name: maybe(unicodeStringArb),
      sender_email: maybe(fc.oneof(fc.emailAddress(), unicodeStringArb)),
      subject: maybe(unicodeStringArb),
      body: maybe(unicodeStringArb),
      attachments: maybe(fc.array(fc.record({ filename: maybe(unicodeStringArb), content_base64: maybe(fc.base64String({ maxLength: 64 })), content_type: maybe(fc.constantFrom('application/pdf', 'image/png', '')) }, { requiredKeys: [] }), { maxLength: 3 })),
    },
    { requiredKeys: [] },
  ),
);

const metadataArb = fc.oneof({ arbitrary: fc.dictionary(unicodeStringArb, weirdValueArb, { maxKeys: 4 }), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 800 }).map((depth) => ({ deep: nestedValue(depth) })), weight: 1 }, { arbitrary: weirdValueArb, weight: 1 });

/** `POST /v1/runs` bodies for each pipeline, mutated from valid ones. */
const createRunBodyArb = fc.oneof(
  ...([
    ['demo', demoInputArb],
    ['receipt', receiptInputArb],
    ['email', emailInputArb],
  ] as Array<[string, fc.Arbitrary<unknown>]>).map(([pipeline, inputArb]) =>
    fc.record({ pipeline: maybe(fc.constant(pipeline)), input: maybe(inputArb), run_id: maybe(validRunIdArb), metadata: metadataArb, extra: weirdValueArb }, { requiredKeys: ['pipeline', 'input'] }),
  ),
);

const jsonBody = (arb: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: arb.map((value) => JSON.stringify(value) ?? 'null'), weight: 6 }, { arbitrary: oddJsonTextArb, weight: 1 }, { arbitrary: fc.constantFrom('', '{', 'null', '[]', '"x"', '{"pipeline":'), weight: 1 });

const contentTypeArb = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 8 },
  { arbitrary: fc.constantFrom('text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'image/png', 'image/jpeg', 'application/json;;', ''), weight: 1 },
);

const query = (entries: Array<[string, string | undefined]>) => {
  const parts = entries.flatMap(([name, value]) => (value === undefined ? [] : [`${name}=${value}`]));
  return parts.length > 0 ? `?${parts.join('&')}` : '';
};
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

const acceptArb = fc.constantFrom('application/json', 'text/event-stream', 'application/x-ndjson', 'image/png', '*/*', 'text/event-stream;q=0, application/json', '', 'application/x-ndjson, text/event-stream');

/** A stream's position and filter parameters, as a query string (every stream route reads them). */
export const streamQueryArb = fc
  .record({
    after: optional(queryValueArb),
    types: optional(fc.oneof(fc.constantFrom('tool_progress', 'tool_progress,processing_completed', ',', 'nope'), queryValueArb)),
    epoch: optional(queryValueArb),
    token: optional(queryValueArb),
    batch: optional(queryValueArb),
  })
  .map(({ after, types, epoch, token, batch }) => query([['after', after], ['types', types], ['epoch', epoch], ['token', token], ['batch', batch]]));

/** Reads of a run's events over every transport, with every position and filter parameter. */
const eventsRequestArb = (runIds: readonly string[]) =>
  fc
    .record({
      id: fc.oneof(pathParamArb, fc.constantFrom(...runIds)),
      stream: streamQueryArb,
      wait: optional(fc.oneof(fc.constantFrom('0', '-1', '31', '1e9', 'abc', '0.5', ''), queryValueArb)),
      lastEventId: optional(headerValueArb),
      accept: optional(acceptArb),
    })
    .map(({ id, stream, wait, lastEventId, accept }): FuzzRequest => ({
      method: 'GET',
      path: `/v1/runs/${id}/events${stream === '' ? '?' : `${stream}&`}wait=${wait ?? '0'}`,
      headers: { ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }), ...(accept === undefined ? {} : { accept }) },
    }));

const post = (path: string, body: fc.Arbitrary<string>) =>
  fc.tuple(body, contentTypeArb).map(([text, contentType]): FuzzRequest => ({ method: 'POST', path, headers: contentType ? { 'content-type': contentType } : {}, body: text }));

/** Every public route, with random paths, parameters, headers and bodies. `runIds` exist on the server. */
export function httpRequestArb(runIds: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const runPath = fc.oneof(pathParamArb, fc.constantFrom(...runIds));
  return fc.oneof(
    { arbitrary: post('/v1/runs', jsonBody(createRunBodyArb)), weight: 10 },
    { arbitrary: eventsRequestArb(runIds), weight: 6 },
    {
      arbitrary: fc.record({ status: optional(queryValueArb), pipeline: optional(queryValueArb), limit: optional(queryValueArb), cursor: optional(queryValueArb) }).map(
        ({ status, pipeline, limit, cursor }): FuzzRequest => ({ method: 'GET', path: `/v1/runs${query([['status', status], ['pipeline', pipeline], ['limit', limit], ['cursor', cursor]])}`, headers: {} }),
      ),
      weight: 2,
    },
    { arbitrary: fc.tuple(runPath, fc.constantFrom('', '/image', '/cancel', '/ws', '/events/x')).map(([id, tail]): FuzzRequest => ({ method: tail === '/cancel' ? 'POST' : 'GET', path: `/v1/runs/${id}${tail}`, headers: {}, ...(tail === '/cancel' ? { body: '{}' } : {}) })), weight: 3 },
    { arbitrary: post('/v1/negotiate', jsonBody(fc.record({ run_ids: maybe(fc.array(fc.oneof(validRunIdArb, pathParamArb), { maxLength: 120 })), extra: weirdValueArb }, { requiredKeys: [] }))), weight: 2 },
    { arbitrary: fc.tuple(pathParamArb, jsonBody(receiptInputArb)).chain(([id, body]) => post(`/api/label-receipt/${id}`, fc.constant(body))), weight: 3 },
    { arbitrary: fc.tuple(fc.constantFrom('/intake/email', '/stream/sse/process-email'), jsonBody(emailInputArb)).chain(([path, body]) => post(path, fc.constant(body))), weight: 3 },
    { arbitrary: post('/stream/batch/process-email', jsonBody(fc.oneof(fc.record({ emails: maybe(fc.array(emailInputArb, { maxLength: 3 })) }, { requiredKeys: [] }), fc.array(emailInputArb, { maxLength: 3 })))), weight: 2 },
    {
      arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') as fc.Arbitrary<FuzzRequest['method']>, fc.constantFrom('/stream/negotiate', '/stream/health', '/stream/metrics', '/v1/ws', '/ws/receipt/x', '/stream/ws/email-processing', '/v1/pipelines', '/v1/stats', '/healthz', '/readyz', '/v1/openapi.json', '/nope', '/v1/runs/%', '/%zz', '/v1/runs/a/b/c/d')).map(
        ([method, path]): FuzzRequest => ({ method, path, headers: {}, ...(method === 'GET' ? {} : { body: '{}' }) }),
      ),
      weight: 2,
    },
    { arbitrary: fc.tuple(depthArb, fc.constantFrom('/v1/runs', '/intake/email', '/v1/negotiate')).map(([depth, path]): FuzzRequest => ({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: `{"pipeline":"demo","input":{},"metadata":{"m":${nestedJsonText(depth, 'object')}}}` })), weight: 1 },
  );
}
