import { afterSchema, eventTypeFilterSchema, type AnyEventType } from '@unfold/protocol';
import { z } from 'zod';
import { parseRequest } from '../http/parse-request.js';

export interface SubscriptionRequest {
  after: number;
  epoch?: string | undefined;
  types?: ReadonlySet<AnyEventType> | undefined;
}

const querySchema = z.object({
  after: afterSchema.optional(),
  epoch: z.string().max(64).optional(),
  types: z
    .string()
    .max(2_000)
    .transform((value) => value.split(',').filter(Boolean))
    .pipe(eventTypeFilterSchema)
    .optional(),
});

/**
 * The position, epoch and filter of a streaming request. `Last-Event-ID` (what a
 * reconnecting EventSource sends) wins over `?after`.
 */
export function parseSubscriptionRequest(query: unknown, lastEventId?: string | string[]): SubscriptionRequest {
  const parsed = parseRequest(querySchema, query, 'invalid_position');
  const header = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;
  const after = header !== undefined && header !== '' ? parseRequest(afterSchema, header, 'invalid_position') : (parsed.after ?? 0);
  return {
    after,
    epoch: parsed.epoch,
    types: parsed.types ? new Set(parsed.types) : undefined,
  };
}
