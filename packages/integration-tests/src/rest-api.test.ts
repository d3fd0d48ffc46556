import { CUSTOM_EVENT_TYPE_PATTERN, EVENT_TYPES } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { getJson, postJson } from './raw-clients.js';
import { useTestServer } from './test-server.js';

describe('REST API', () => {
  const server = useTestServer();

  it('creates a run with a Location, reads it, and lists runs filtered and paginated newest first', async () => {
    const created = await postJson(`${server().url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 }, run_id: 'listed-1' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/runs/listed-1');
    expect(created.body).toEqual({ run_id: 'listed-1', status: 'queued', events_url: '/v1/runs/listed-1/events' });
    for (const runId of ['listed-2', 'listed-3']) await postJson(`${server().url}/v1/runs`, { pipeline: 'demo', input: { pace: 0, fail_tool: 'validate' }, run_id: runId });
    await postJson(`${server().url}/v1/runs`, { pipeline: 'firehose', input: { events: 1 }, run_id: 'other-pipeline' });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const first = await getJson(`${server().url}/v1/runs?pipeline=demo&limit=2`);
    const firstRuns = first.body['runs'] as Array<{ run_id: string }>;
    expect(firstRuns.map((run) => run.run_id)).toEqual(['listed-3', 'listed-2']);
    const second = await getJson(`${server().url}/v1/runs?pipeline=demo&limit=2&cursor=${first.body['next_cursor'] as string}`);
    expect((second.body['runs'] as Array<{ run_id: string }>).map((run) => run.run_id)).toEqual(['listed-1']);
    expect(second.body['next_cursor']).toBeNull();
    const failed = await getJson(`${server().url}/v1/runs?status=failed`);
    expect((failed.body['runs'] as Array<{ run_id: string }>).map((run) => run.run_id).sort()).toEqual(['listed-2', 'listed-3']);
    expect((await getJson(`${server().url}/v1/runs/listed-1`)).body).toMatchObject({ status: 'completed', last_seq: expect.any(Number), error: null });
  });

  it('cancels a running run: processing_cancelled is its last event and the status says so', async () => {
    const runId = 'to-cancel';
    await postJson(`${server().url}/v1/runs`, { pipeline: 'demo', input: { pace: 5 }, run_id: runId });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const cancelled = await postJson(`${server().url}/v1/runs/${runId}/cancel`, {});
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    const poll = await getJson(`${server().url}/v1/runs/${runId}/events?wait=0`, { accept: 'application/json' });
    const events = poll.body['events'] as Array<{ event_type: string }>;
    expect(events.at(-1)?.event_type).toBe('processing_cancelled');
    expect(poll.body['done']).toBe(true);
  });

  it('serves negotiate, health, readiness, pipelines and an OpenAPI document of the routes', async () => {
    const negotiated = await postJson(`${server().url}/v1/negotiate`, { run_ids: ['a'] });
    expect((negotiated.body['transports'] as Array<{ transport: string }>).map((entry) => entry.transport)).toEqual(['websocket', 'sse', 'ndjson', 'long-poll']);
    expect(typeof negotiated.body['token']).toBe('string');
    expect((await getJson(`${server().url}/healthz`)).body).toEqual({ status: 'ok' });
    expect((await getJson(`${server().url}/readyz`)).body).toMatchObject({ status: 'ready', store: 'sqlite' });
    const pipelines = (await getJson(`${server().url}/v1/pipelines`)).body['pipelines'] as Array<{ name: string; tools: string[] }>;
    expect(pipelines.find((pipeline) => pipeline.name === 'demo')?.tools).toEqual(['fetch_document', 'read_text', 'detect_layout', 'label_fields', 'validate']);
    expect(pipelines.map((pipeline) => pipeline.name)).toEqual(['demo', 'receipt', 'email', 'firehose']);
    const openapi = (await getJson(`${server().url}/v1/openapi.json`)).body as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, { oneOf?: unknown[]; anyOf?: unknown[] }> } };
    expect(openapi.openapi).toBe('3.1.0');
    for (const path of ['/v1/runs', '/v1/runs/{id}', '/v1/runs/{id}/events', '/v1/negotiate', '/api/label-receipt/{receipt_id}']) expect(openapi.paths).toHaveProperty([path]);
    // Every built-in event type, then the custom events of user pipelines (data-<name>).
    const [builtIn, custom] = (openapi.components.schemas['Event']?.anyOf ?? []) as [{ oneOf?: unknown[] }, { properties?: Record<string, unknown> }];
    expect(builtIn.oneOf?.length).toBe(EVENT_TYPES.length);
    expect(custom.properties?.['event_type']).toMatchObject({ type: 'string', pattern: CUSTOM_EVENT_TYPE_PATTERN.source });
    expect(custom.properties).toHaveProperty('data');
  });
});
