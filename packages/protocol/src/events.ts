import { z } from 'zod';

/**
 * The event union of docs/protocol.md (*Events*). Each event type is declared once, as a schema;
 * every TypeScript type below is inferred from these schemas, so the wire contract
 * and the types cannot drift apart.
 *
 * Naming rules: wire names are snake_case and the TypeScript types mirror the wire
 * exactly; payload fields sit flat beside the envelope so the seeds' clients can read
 * `event.tool_name` and `event.progress` directly.
 */

export const envelopeSchema = z.object({
  /** `"<run_id>:<seq>"`, unique across the store. */
  event_id: z.string(),
  /** 1, 2, 3 … per run, gapless, assigned by the event log on append. */
  seq: z.number().int().positive(),
  /** ISO 8601 with milliseconds, UTC. */
  timestamp: z.string(),
  run_id: z.string(),
  pipeline: z.string(),
  receipt_id: z.string().optional(),
  document_id: z.string().optional(),
  trace_id: z.string().optional(),
  span_id: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

export const ENVELOPE_KEYS = [
  'event_id',
  'seq',
  'timestamp',
  'run_id',
  'pipeline',
  'receipt_id',
  'document_id',
  'trace_id',
  'span_id',
  'metadata',
] as const;

const errorDetail = { error: z.string(), code: z.string() };

/** Payload schemas by event type. Adding an event type means adding one line here. */
export const eventPayloadSchemas = {
  processing_started: z.object({ input_summary: z.record(z.string(), z.unknown()).optional() }),
  processing_completed: z.object({ duration_ms: z.number(), result: z.unknown() }),
  processing_failed: z.object({ duration_ms: z.number(), ...errorDetail, tool_name: z.string().optional() }),
  processing_cancelled: z.object({ duration_ms: z.number(), reason: z.string() }),

  tool_started: z.object({ tool_name: z.string(), status: z.literal('started'), attempt: z.number().int().positive() }),
  tool_progress: z.object({
    tool_name: z.string(),
    status: z.literal('running'),
    progress: z.number().min(0).max(100),
    message: z.string().optional(),
  }),
  tool_completed: z.object({ tool_name: z.string(), status: z.literal('completed'), duration_ms: z.number() }),
  tool_failed: z.object({
    tool_name: z.string(),
    status: z.literal('failed'),
    duration_ms: z.number(),
    ...errorDetail,
    /** True when the tool is optional and the run goes on without it. */
    optional: z.boolean(),
  }),
  tool_retrying: z.object({
    tool_name: z.string(),
    status: z.literal('retrying'),
    attempt: z.number().int().positive(),
    delay_ms: z.number(),
    ...errorDetail,
  }),
  tool_skipped: z.object({ tool_name: z.string(), status: z.literal('skipped'), reason: z.string() }),

  /** The words a receipt's OCR read (or was given), once, before any is labelled: what a UI draws boxes for. */
  receipt_words: z.object({
    words: z.array(
      z.object({
        word_id: z.number().int(),
        line_id: z.number().int(),
        text: z.string(),
        /** x, y, width, height in the image's pixels. */
        box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
        confidence: z.number().min(0).max(1),
      }),
    ),
  }),
  field_labeled: z.object({
    field_name: z.string(),
    value: z.string(),
    confidence: z.number().min(0).max(1),
    reasoning: z.string().optional(),
    word_ids: z.array(z.number().int()),
    normalized: z.unknown().optional(),
  }),
  line_item_found: z.object({
    description: z.string(),
    quantity: z.object({ amount: z.number(), unit: z.string().optional() }).optional(),
    price: z.object({ unit_price: z.number().optional(), extended_price: z.number().optional() }).optional(),
    line_ids: z.array(z.number().int()),
  }),
  confidence_update: z.object({ field_name: z.string(), confidence: z.number().min(0).max(1), message: z.string().optional() }),
  validation_result: z.object({
    rule: z.string(),
    passed: z.boolean(),
    message: z.string(),
    severity: z.enum(['error', 'warning', 'info']).optional(),
  }),
  extraction_token: z.object({ delta: z.string(), index: z.number().int().nonnegative() }),
  extraction_field: z.object({
    field_name: z.string(),
    value: z.unknown(),
    complete: z.boolean().optional(),
    /** How likely the value is right, where the extractor measures it (the email signature model's probability). */
    confidence: z.number().min(0).max(1).optional(),
    /** Why the extractor read it: the rule, or the model's features that weighed most. */
    reasoning: z.string().optional(),
  }),
  research_result: z.object({
    status: z.string(),
    result: z.record(z.string(), z.unknown()),
    confidence: z.number().min(0).max(1).optional(),
    source: z.string().optional(),
  }),
  record_created: z.object({
    sink: z.string(),
    record_type: z.string(),
    record_id: z.string(),
    created: z.boolean(),
  }),
} as const;

export type EventType = keyof typeof eventPayloadSchemas;
export const EVENT_TYPES = Object.keys(eventPayloadSchemas) as EventType[];

export const TERMINAL_EVENT_TYPES = ['processing_completed', 'processing_failed', 'processing_cancelled'] as const;
export type TerminalEventType = (typeof TERMINAL_EVENT_TYPES)[number];

type Envelope = z.output<typeof envelopeSchema>;

/**
 * A custom event's type: `data-` and a name a pipeline declares with the schema of its
 * payload (docs/pipelines.md). The payload travels under `data`, so it never collides with
 * the envelope; the engine checks it against the declared schema before it is stored.
 */
export type CustomEventType = `data-${string}`;
export const CUSTOM_EVENT_TYPE_PATTERN = /^data-[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** The largest custom payload the engine stores, as JSON: an event is a step of a run, not a document. */
export const MAX_CUSTOM_EVENT_BYTES = 256 * 1024;
export const customEventTypeSchema = z
  .string()
  .regex(CUSTOM_EVENT_TYPE_PATTERN, 'a custom event type is "data-" and a name of 1 to 64 letters, digits, "_" or "-", starting with a letter') as z.ZodType<CustomEventType>;
export const customEventSchema = envelopeSchema.extend({ event_type: customEventTypeSchema, data: z.unknown() });

/** One stored custom event; `Data` is the payload its pipeline declared. */
export type CustomEvent<T extends CustomEventType = CustomEventType, Data = unknown> = Envelope & { event_type: T; data: Data };

/** One stored event of a given type, envelope included. */
export type EventOf<T extends EventType> = Envelope & { event_type: T } & z.output<(typeof eventPayloadSchemas)[T]>;
/** Any stored event of the built-in types. */
export type BuiltInEvent = { [T in EventType]: EventOf<T> }[EventType];
/** Any stored event. */
export type UnfoldEvent = BuiltInEvent | CustomEvent;
/** The type of any stored event: built-in or custom. */
export type AnyEventType = EventType | CustomEventType;
/** What a producer hands to the log: the type and its payload; the log adds the envelope. */
export type EventPayload<T extends EventType> = z.input<(typeof eventPayloadSchemas)[T]>;
export type EventDraft = { [T in EventType]: { event_type: T } & EventPayload<T> }[EventType] | { event_type: CustomEventType; data: unknown };

function eventSchemaFor<T extends EventType>(type: T): z.ZodType<EventOf<T>> {
  return envelopeSchema.extend(eventPayloadSchemas[type].shape).extend({ event_type: z.literal(type) }) as never;
}

/** The full schema (envelope + payload) of each event type. */
export const eventSchemas = Object.fromEntries(EVENT_TYPES.map((type) => [type, eventSchemaFor(type)])) as {
  [T in EventType]: z.ZodType<EventOf<T>>;
};

/** Validates any stored event of a built-in type; `event_type` picks the member schema. */
export const builtInEventSchema: z.ZodType<BuiltInEvent> = z.discriminatedUnion('event_type', Object.values(eventSchemas) as never);

/** Validates any stored event: a built-in one, or a custom one (whose `data` only its pipeline's schema describes). */
export const unfoldEventSchema: z.ZodType<UnfoldEvent> = z.union([builtInEventSchema, customEventSchema]) as never;

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(eventPayloadSchemas, value);
}

export function isCustomEventType(value: unknown): value is CustomEventType {
  return typeof value === 'string' && CUSTOM_EVENT_TYPE_PATTERN.test(value);
}

export function isTerminalEventType(value: string): value is TerminalEventType {
  return (TERMINAL_EVENT_TYPES as readonly string[]).includes(value);
}
