import type { NegotiateResponse } from '@unfold/protocol';

/** A negotiate answer offering every transport, for streams driven by injected transports. */
export const negotiated: NegotiateResponse = {
  transports: (['websocket', 'sse', 'ndjson', 'long-poll'] as const).map((transport) => ({ transport, url: `/v1/runs/{run_id}/${transport}` })),
  token: 'token',
  expires_at: new Date().toISOString(),
  epoch: 'e1',
  limits: { max_subscriptions_per_connection: 10, send_buffer_bytes: 1_000 },
};
