import { z } from 'zod';
import { runStatusSchema } from './run-status.js';

/**
 * Stream-control frames: sent on live connections, never stored in the log, never
 * carrying a `seq`. They share the `event_type` discriminator with stored events so a
 * single frame parser handles both.
 */
export const connectedFrameSchema = z.object({
  event_type: z.literal('connected'),
  transport: z.string(),
  epoch: z.string(),
  run_id: z.string().optional(),
  receipt_id: z.string().optional(),
  message: z.string().optional(),
});

export const heartbeatFrameSchema = z.object({ event_type: z.literal('heartbeat'), timestamp: z.string() });

export const resyncReasonSchema = z.enum(['position_gone', 'epoch_changed']);

export const resyncFrameSchema = z.object({
  event_type: z.literal('resync'),
  run_id: z.string(),
  reason: resyncReasonSchema,
  /** The run's status now, or null when the store no longer holds the run. */
  status: runStatusSchema.nullable(),
  epoch: z.string(),
  last_seq: z.number().int().nonnegative(),
});

export const errorFrameSchema = z.object({
  event_type: z.literal('error'),
  code: z.string(),
  message: z.string(),
  run_id: z.string().optional(),
  /** With `rate_limited`: how long until the limit lets the client in again. */
  retry_after_ms: z.number().int().nonnegative().optional(),
});

export const subscribedFrameSchema = z.object({
  event_type: z.literal('subscribed'),
  run_id: z.string(),
  after: z.number().int().nonnegative(),
});

/** A run was created or changed status (to a `watch_runs` socket). */
export const runUpdatedFrameSchema = z.object({
  event_type: z.literal('run_updated'),
  run_id: z.string(),
  pipeline: z.string(),
  status: runStatusSchema,
  created_at: z.string(),
});

/** Answer to `{"type": "refresh"}`: the connection now runs on the new token, until `expires_at`. */
export const refreshedFrameSchema = z.object({ event_type: z.literal('refreshed'), expires_at: z.string() });

/** Answer to a JSON `{"type":"ping"}` on a WebSocket. */
export const pongFrameSchema = z.object({ event_type: z.literal('pong') });

export const controlFrameSchema = z.discriminatedUnion('event_type', [
  connectedFrameSchema,
  pongFrameSchema,
  heartbeatFrameSchema,
  resyncFrameSchema,
  errorFrameSchema,
  subscribedFrameSchema,
  runUpdatedFrameSchema,
  refreshedFrameSchema,
]);

export type ConnectedFrame = z.infer<typeof connectedFrameSchema>;
export type HeartbeatFrame = z.infer<typeof heartbeatFrameSchema>;
export type ResyncFrame = z.infer<typeof resyncFrameSchema>;
export type ResyncReason = z.infer<typeof resyncReasonSchema>;
export type ErrorFrame = z.infer<typeof errorFrameSchema>;
export type SubscribedFrame = z.infer<typeof subscribedFrameSchema>;
export type PongFrame = z.infer<typeof pongFrameSchema>;
export type RunUpdatedFrame = z.infer<typeof runUpdatedFrameSchema>;
export type RefreshedFrame = z.infer<typeof refreshedFrameSchema>;
export type ControlFrame = z.infer<typeof controlFrameSchema>;
export type ControlFrameType = ControlFrame['event_type'];

const CONTROL_TYPES = new Set<string>(['connected', 'pong', 'heartbeat', 'resync', 'error', 'subscribed', 'run_updated', 'refreshed']);

export function isControlFrame(frame: { event_type: string }): frame is ControlFrame {
  return CONTROL_TYPES.has(frame.event_type);
}
