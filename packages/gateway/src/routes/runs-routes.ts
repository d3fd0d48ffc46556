import { UnfoldError, createRunRequestSchema, listRunsQuerySchema, runIdSchema, type CreateRunResponse } from '@unfold/protocol';
import { publicRunId } from '@unfold/engine';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { readReceiptImage } from '@unfold/pipelines';
import { authorizeRun, principalOf } from '../auth/principal-layer.js';
import type { GatewayContext } from '../gateway-context.js';
import { parseRequest } from '../http/parse-request.js';
import { createRunFor } from './run-creator.js';

export const runParamsSchema = z.object({ id: runIdSchema });

export function eventsUrl(runId: string): string {
  return `/v1/runs/${encodeURIComponent(runId)}/events`;
}

const uploadQuerySchema = z.object({ pipeline: createRunRequestSchema.shape.pipeline.default('receipt'), run_id: createRunRequestSchema.shape.run_id });

/**
 * A run's request: JSON as documented, or an image uploaded as the raw body
 * (`Content-Type: image/jpeg` or `image/png`, pipeline and run id in the query).
 */
function runRequest(request: FastifyRequest) {
  if (!Buffer.isBuffer(request.body)) return parseRequest(createRunRequestSchema, request.body ?? null);
  const { pipeline, run_id } = parseRequest(uploadQuerySchema, request.query);
  return { pipeline, input: { image_base64: request.body.toString('base64') }, ...(run_id ? { run_id } : {}) };
}

export function registerRunRoutes(app: FastifyInstance, context: GatewayContext): void {
  app.addContentTypeParser(['image/jpeg', 'image/png'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/v1/runs', async (request, reply) => {
    const body = runRequest(request);
    const run = await createRunFor(context, request, body);
    const runId = publicRunId(run.run_id);
    const response: CreateRunResponse = { run_id: runId, status: run.status, events_url: eventsUrl(runId) };
    return reply.status(201).header('location', `/v1/runs/${encodeURIComponent(runId)}`).send(response);
  });

  app.get('/v1/runs', async (request) => context.runs.list({ ...parseRequest(listRunsQuerySchema, request.query), tenant: principalOf(request).tenant }));

  // The receipt image a run was given, for a page that draws its word boxes over it; an
  // <img> cannot send a key, so a stream token for the run opens it too.
  app.get('/v1/runs/:id/image', { config: { auth: 'stream' } }, async (request, reply) => {
    const { id } = parseRequest(runParamsSchema, request.params, 'run_not_found');
    const run = await context.store.runs.get(authorizeRun(request, id).key);
    if (!run) throw new UnfoldError('run_not_found', `no run with id "${id}"`);
    const base64 = run.input['image_base64'];
    if (typeof base64 !== 'string') throw new UnfoldError('run_not_found', `run "${id}" was not given an image`);
    const image = readReceiptImage(Buffer.from(base64, 'base64'));
    return reply.header('content-type', image.type).header('cache-control', 'private, max-age=86400, immutable').send(image.bytes);
  });

  app.get('/v1/runs/:id', async (request) => {
    const { id } = parseRequest(runParamsSchema, request.params, 'run_not_found');
    return context.runs.get(principalOf(request).tenant, id);
  });

  app.post('/v1/runs/:id/cancel', async (request, reply) => {
    const { id } = parseRequest(runParamsSchema, request.params, 'run_not_found');
    return reply.status(202).send(await context.runs.cancel(principalOf(request).tenant, id));
  });

  app.get('/v1/pipelines', async () => ({ pipelines: context.registry.list() }));
}
