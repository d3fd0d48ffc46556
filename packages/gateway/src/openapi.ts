import {
  ERROR_CODES,
  createRunRequestSchema,
  createRunResponseSchema,
  negotiateRequestSchema,
  negotiateResponseSchema,
  pipelineListSchema,
  pollResponseSchema,
  runListSchema,
  runResourceSchema,
  unfoldEventSchema,
  type PipelineInfo,
} from '@unfold/protocol';
import { z } from 'zod';
import { MAX_BATCH_EMAILS } from './streaming/seed-compat/seed-email-requests.js';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' });
const errorBody = { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', enum: Object.keys(ERROR_CODES) }, message: { type: 'string' } } };
const content = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), { description: 'error', content: content({ $ref: '#/components/schemas/Error' }) }]));
const runId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const position = [
  { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'the last seq the client holds' },
  { name: 'epoch', in: 'query', schema: { type: 'string' } },
  { name: 'types', in: 'query', schema: { type: 'string' }, description: 'comma-separated event types' },
];

/** An API key in either header, on every route not said otherwise. */
const KEY = [{ bearerKey: [] }, { apiKeyHeader: [] }];
/** Streaming routes also take a stream token in the query (browsers cannot set headers there). */
const KEY_OR_TOKEN = [...KEY, { streamToken: [] }];
const OPEN: never[] = [];
/** Seed 003's routes take the key as the original did: `X-API-Key`, or `?api_key=`. */
const SEED_KEY = [...KEY, { apiKeyQuery: [] }];
const emailBody = { required: true, content: content({ $ref: '#/components/schemas/Input_email' }) };
const ndjson = (description: string) => ({ description, content: { 'application/x-ndjson': { schema: { type: 'object' } } } });

const securitySchemes = {
  bearerKey: { type: 'http', scheme: 'bearer', description: 'An API key (ufk_…) from `unfold keys create --tenant <name>`, as `Authorization: Bearer <key>`.' },
  apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key as an `X-API-Key` header.' },
  apiKeyQuery: { type: 'apiKey', in: 'query', name: 'api_key', description: 'The API key as `?api_key=`, on seed 003\'s routes only, as the original took it.' },
  streamToken: {
    type: 'apiKey',
    in: 'query',
    name: 'access_token',
    description: 'A short-lived stream token from POST /v1/negotiate (`token` is an alias), scoped to the tenant or to the runs negotiated.',
  },
};

/**
 * Every operation that is not open answers 401 (no, a wrong or a revoked credential):
 * added here once rather than to each operation's own list.
 */
function withUnauthorized(paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown>; [field: string]: unknown }>>) {
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      if (operation.security?.length === 0 || operation.responses['401']) continue;
      operation.responses = { ...operation.responses, ...errors(401) };
    }
  }
  return paths;
}

/**
 * Each registered pipeline's input (`Input_<pipeline>`) and custom events
 * (`Event_<pipeline>_<type>`), and the run request for each pipeline (`RunOf_<pipeline>`):
 * a client generator reads a user pipeline's contract from here as from `/v1/pipelines`.
 */
function pipelineSchemas(pipelines: readonly PipelineInfo[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const pipeline of pipelines) {
    schemas[`Input_${pipeline.name}`] = pipeline.input_schema;
    schemas[`RunOf_${pipeline.name}`] = {
      type: 'object',
      required: ['pipeline', 'input'],
      properties: { pipeline: { const: pipeline.name }, input: { $ref: `#/components/schemas/Input_${pipeline.name}` }, run_id: { type: 'string' }, metadata: { type: 'object' } },
    };
    for (const [type, data] of Object.entries(pipeline.events)) {
      schemas[`Event_${pipeline.name}_${type}`] = {
        description: `A ${type} event of ${pipeline.name}: the envelope of every event, this event_type, and its data.`,
        allOf: [{ $ref: '#/components/schemas/Event' }, { type: 'object', required: ['event_type', 'data'], properties: { event_type: { const: type }, data } }],
      };
    }
  }
  return schemas;
}

/** The OpenAPI 3.1 document, generated from the same schemas the server validates with and the pipelines registered now. */
export function buildOpenApiDocument(version: string, pipelines: readonly PipelineInfo[]): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Unfold', version, description: 'Run document-extraction pipelines and stream every step. Wire details: docs/protocol.md.' },
    // Without a key the server serves only loopback clients while no key exists (see docs/protocol.md, Authentication).
    security: KEY,
    components: {
      securitySchemes,
      schemas: {
        Error: errorBody,
        CreateRunRequest: json(createRunRequestSchema, 'input'),
        CreateRunResponse: json(createRunResponseSchema),
        Run: json(runResourceSchema),
        RunList: json(runListSchema),
        Event: json(unfoldEventSchema),
        PollResponse: json(pollResponseSchema),
        NegotiateRequest: json(negotiateRequestSchema, 'input'),
        NegotiateResponse: json(negotiateResponseSchema),
        PipelineList: json(pipelineListSchema),
        ...pipelineSchemas(pipelines),
      },
    },
    paths: withUnauthorized({
      '/v1/runs': {
        post: {
          summary: 'Start a run',
          requestBody: { required: true, content: content({ $ref: '#/components/schemas/CreateRunRequest' }) },
          responses: { '201': { description: 'created', content: content({ $ref: '#/components/schemas/CreateRunResponse' }) }, ...errors(400, 409, 413, 415, 422, 503) },
        },
        get: {
          summary: 'List runs, newest first',
          parameters: ['status', 'pipeline', 'limit', 'cursor'].map((name) => ({ name, in: 'query', schema: { type: name === 'limit' ? 'integer' : 'string' } })),
          responses: { '200': { description: 'a page of runs', content: content({ $ref: '#/components/schemas/RunList' }) }, ...errors(400) },
        },
      },
      '/v1/runs/{id}': {
        get: { summary: 'One run', parameters: [runId], responses: { '200': { description: 'the run', content: content({ $ref: '#/components/schemas/Run' }) }, ...errors(404) } },
      },
      '/v1/runs/{id}/image': {
        get: {
          summary: 'The receipt image a run was given, for drawing its word boxes',
          security: KEY_OR_TOKEN,
          parameters: [runId],
          responses: { '200': { description: 'the image', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } }, 'image/png': { schema: { type: 'string', format: 'binary' } } } }, ...errors(403, 404) },
        },
      },
      '/v1/runs/{id}/cancel': {
        post: { summary: 'Cancel a run', parameters: [runId], responses: { '202': { description: 'cancelled', content: content({ $ref: '#/components/schemas/Run' }) }, ...errors(404, 409) } },
      },
      '/v1/runs/{id}/events': {
        get: {
          summary: 'Events of a run: SSE, NDJSON or long-poll JSON, by Accept',
          security: KEY_OR_TOKEN,
          parameters: [
            runId,
            ...position,
            { name: 'wait', in: 'query', schema: { type: 'number' }, description: 'long-poll: seconds to wait for the first event' },
            { name: 'limit', in: 'query', schema: { type: 'integer' } },
            { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'events',
              content: {
                'text/event-stream': { schema: { type: 'string' } },
                'application/x-ndjson': { schema: { $ref: '#/components/schemas/Event' } },
                'application/json': { schema: { $ref: '#/components/schemas/PollResponse' } },
              },
            },
            ...errors(400, 401, 403, 406, 410),
          },
        },
      },
      '/v1/runs/{id}/ws': {
        get: {
          summary: 'WebSocket of one run (upgrade); takes refresh messages; a refused credential closes it with 4001, a revoked key with 4003, an expired stream token with 4401; a foreign Origin is refused with 403 before the upgrade',
          security: KEY_OR_TOKEN,
          parameters: [runId, ...position],
          responses: { '101': { description: 'switching protocols' } },
        },
      },
      '/v1/ws': {
        get: {
          summary: 'Multiplexed WebSocket (upgrade): subscribe/unsubscribe/refresh messages; a refused credential closes it with 4001, a revoked key with 4003, an expired stream token with 4401; a foreign Origin is refused with 403 before the upgrade',
          security: KEY_OR_TOKEN,
          responses: { '101': { description: 'switching protocols' } },
        },
      },
      '/v1/negotiate': {
        post: {
          summary: 'Transports, URLs and a stream token (issued only to a key, carrying its tenant)',
          requestBody: { content: content({ $ref: '#/components/schemas/NegotiateRequest' }) },
          responses: { '200': { description: 'negotiated', content: content({ $ref: '#/components/schemas/NegotiateResponse' }) }, ...errors(400) },
        },
      },
      '/v1/pipelines': {
        get: {
          summary: 'Registered pipelines: tools, input as JSON Schema, custom events with the JSON Schema of their data',
          responses: { '200': { description: 'pipelines', content: content({ $ref: '#/components/schemas/PipelineList' }) } },
        },
      },
      '/v1/openapi.json': { get: { summary: 'This document, with the pipelines registered now', responses: { '200': { description: 'OpenAPI 3.1' } } } },
      '/v1/stats': { get: { summary: 'Connections, runs and deliveries', responses: { '200': { description: 'stats' } } } },
      '/healthz': { get: { summary: 'Alive', security: OPEN, responses: { '200': { description: 'ok' } } } },
      '/readyz': { get: { summary: 'Store reachable', security: OPEN, responses: { '200': { description: 'ready' }, ...errors(503) } } },
      '/metrics': { get: { summary: 'Prometheus metrics (open unless UNFOLD_METRICS_AUTH=keys)', security: OPEN, responses: { '200': { description: 'metrics' } } } },
      '/api/label-receipt/{receipt_id}': {
        post: {
          summary: 'Seed 000: start labelling a receipt',
          parameters: [{ name: 'receipt_id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'processing' }, ...errors(400, 409, 413, 415, 422, 503) },
        },
      },
      '/ws/receipt/{receipt_id}': {
        get: {
          summary: 'Seed 000: receipt WebSocket (upgrade)',
          security: KEY_OR_TOKEN,
          parameters: [{ name: 'receipt_id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '101': { description: 'switching protocols' } },
        },
      },
      '/stream/negotiate': Object.fromEntries(
        ['get', 'post'].map((method) => [method, { summary: 'Seed 003: the WebSocket URL with a token, the SSE and batch URLs', security: SEED_KEY, responses: { '200': { description: 'negotiated' } } }]),
      ),
      '/stream/ws/email-processing': {
        get: {
          summary: 'Seed 003: WebSocket (upgrade) taking process_email and ping messages, answering with the original\'s messages',
          security: [...SEED_KEY, { streamToken: [] }],
          responses: { '101': { description: 'switching protocols' } },
        },
      },
      '/stream/sse/process-email': {
        post: { summary: 'Seed 003: one email\'s run as server-sent events', security: SEED_KEY, requestBody: emailBody, responses: { '200': { description: 'events', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors(400, 413, 422, 503) } },
      },
      '/stream/batch/process-email': {
        post: {
          summary: `Seed 003: one email, or {"emails": [...]} of 1 to ${MAX_BATCH_EMAILS}, as NDJSON {type, data, sequence}; ?stream_chunks=false answers one email with {status, data, processing_time}`,
          security: SEED_KEY,
          parameters: [{ name: 'stream_chunks', in: 'query', schema: { type: 'boolean', default: true } }],
          requestBody: { required: true, content: content({ oneOf: [{ $ref: '#/components/schemas/Input_email' }, { type: 'object', required: ['emails'], properties: { emails: { type: 'array', minItems: 1, maxItems: MAX_BATCH_EMAILS, items: { $ref: '#/components/schemas/Input_email' } } } }] }) },
          responses: { '200': ndjson('the runs\' messages, or the one result'), ...errors(400, 413, 422, 503) },
        },
      },
      '/intake/email': {
        post: { summary: 'Seed 003: run one email to its end and answer its result', security: SEED_KEY, requestBody: emailBody, responses: { '200': { description: 'the processing result' }, ...errors(400, 413, 422, 500, 503) } },
      },
      '/stream/health': { get: { summary: 'Seed 003: health with connection counts', security: OPEN, responses: { '200': { description: 'healthy' } } } },
      '/stream/metrics': { get: { summary: 'Seed 003: connections, runs and streams', security: SEED_KEY, responses: { '200': { description: 'metrics' } } } },
    }),
  };
}
