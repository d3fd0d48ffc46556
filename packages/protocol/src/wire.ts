import { z } from 'zod';
import { isCustomEventType, isEventType, type AnyEventType } from './events.js';
import { runIdSchema } from './runs-api.js';

export const TRANSPORTS = ['websocket', 'sse', 'ndjson', 'long-poll'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** `after` is a seq: the subscriber has every event up to and including it. */
export const afterSchema = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const eventTypeFilterSchema = z
  .array(z.string())
  .max(64)
  .refine((types) => types.every((type) => isEventType(type) || isCustomEventType(type)), 'types must be known event types or custom ones (data-<name>)')
  .transform((types) => types as AnyEventType[]);

/** Messages a client sends on a WebSocket. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('subscribe'),
    run_id: runIdSchema,
    after: afterSchema.default(0),
    /** Only these event types are sent; the terminal lifecycle event is always sent. */
    types: eventTypeFilterSchema.optional(),
    /** The store epoch the `after` position was read in; a different epoch means resync. */
    epoch: z.string().max(64).optional(),
  }),
  z.strictObject({ type: z.literal('unsubscribe'), run_id: runIdSchema }),
  /** Every run created or changing status from now on, as `run_updated` frames (a runs list). */
  z.strictObject({ type: z.literal('watch_runs') }),
  z.strictObject({ type: z.literal('unwatch_runs') }),
  z.strictObject({ type: z.literal('ping') }),
  /** A new stream token for this connection, sent before the old one expires; answered with `refreshed`. */
  z.strictObject({ type: z.literal('refresh'), token: z.string().min(1).max(4_096) }),
]);
export type ClientMessage = z.input<typeof clientMessageSchema>;
/** The `type`s a client may send, read off the schema so the two cannot drift. */
export const CLIENT_MESSAGE_TYPES: readonly string[] = clientMessageSchema.options.map((option) => option.shape.type.value);
/** A client message after validation, defaults applied. */
export type ParsedClientMessage = z.output<typeof clientMessageSchema>;
export type SubscribeMessage = Extract<ClientMessage, { type: 'subscribe' }>;

/** WebSocket close codes Unfold uses beyond RFC 6455's own. */
export const CLOSE_CODES = {
  normal: 1000,
  going_away: 1001,
  policy_violation: 1008,
  message_too_big: 1009,
  /** The connection fell behind its send buffer limit; resume from the last seq. */
  slow_consumer: 4008,
  unauthorized: 4001,
  /** The API key the connection was opened with (or its stream token was issued to) was revoked. */
  key_revoked: 4003,
  /** The subscription the connection was opened for cannot go on (e.g. resync on a run socket). */
  subscription_ended: 4010,
  /** A per-key limit refused the connection (`rate_limited`, as HTTP's 429); the error frame says when to retry. */
  rate_limited: 4029,
  /** The stream token expired without a refresh: negotiate a new one and resume from the last seq. */
  token_expired: 4401,
} as const;

export const negotiateRequestSchema = z.strictObject({
  run_ids: z.array(runIdSchema).max(100).default([]),
});
export type NegotiateRequest = z.input<typeof negotiateRequestSchema>;

export const negotiatedTransportSchema = z.object({
  transport: z.enum(TRANSPORTS),
  /** URL path, relative to the server; `{run_id}` stands for the run. */
  url: z.string(),
});

export const negotiateResponseSchema = z.object({
  transports: z.array(negotiatedTransportSchema),
  token: z.string(),
  expires_at: z.string(),
  epoch: z.string(),
  limits: z.object({
    max_subscriptions_per_connection: z.number().int(),
    send_buffer_bytes: z.number().int(),
  }),
});
export type NegotiateResponse = z.infer<typeof negotiateResponseSchema>;
