import { describe, expect, it } from 'vitest';
import { openSocket, postJson } from './raw-clients.js';
import { useTestServer } from './test-server.js';

/** Seed 000's own WebSocket test flow, unchanged: connect, POST, read until completed. */
describe('seed 000 receipt routes', () => {
  const server = useTestServer();

  it('sends connected first, answers ping with pong, and streams the run started by the POST', async () => {
    const receiptId = `test-${Date.now()}`;
    const socket = openSocket(`${server().wsUrl}/ws/receipt/${receiptId}`);
    const connected = await socket.waitFor(() => true);
    expect(connected).toMatchObject({ event_type: 'connected', receipt_id: receiptId, message: 'Connected to receipt processing stream' });

    socket.socket.send('ping');
    await socket.waitFor(() => socket.texts.includes('pong'));

    const response = await postJson(`${server().url}/api/label-receipt/${receiptId}`, { image_url: 's3://test.jpg' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ receipt_id: receiptId, status: 'processing', websocket_url: `/ws/receipt/${receiptId}` });

    await socket.waitFor((frame) => frame.event_type === 'processing_completed');
    const types = socket.frames.map((frame) => frame.event_type);
    expect(types[0]).toBe('connected');
    expect(types).toContain('processing_started');
    expect(types).toContain('tool_started');
    const toolEvent = socket.frames.find((frame) => frame.event_type === 'tool_progress');
    expect(toolEvent).toMatchObject({ receipt_id: receiptId, status: 'running' });
    expect(typeof toolEvent?.['tool_name']).toBe('string');
    expect(typeof toolEvent?.['progress']).toBe('number');
    socket.socket.close();
  });

  it('refuses a second POST for the same receipt id with run_exists', async () => {
    const receiptId = `dup-${Date.now()}`;
    expect((await postJson(`${server().url}/api/label-receipt/${receiptId}`, {})).status).toBe(200);
    const again = await postJson(`${server().url}/api/label-receipt/${receiptId}`, {});
    expect(again.status).toBe(409);
    expect(again.body['code']).toBe('run_exists');
  });
});
