import { MAX_CUSTOM_EVENT_BYTES, UnfoldError, eventPayloadSchemas, isCustomEventType, type EventDraft } from '@unfold/protocol';
import { z } from 'zod';
import { RESULT_EVENT_TYPES, type EventSchemas } from './tool.js';

const RESULT_TYPES: ReadonlySet<string> = new Set(RESULT_EVENT_TYPES);

/**
 * The event a tool asked to emit, checked against what its pipeline promises: a result
 * event with a payload of its schema, or a custom event the pipeline declared with a payload
 * its schema accepts, as JSON of at most MAX_CUSTOM_EVENT_BYTES. What is stored and streamed
 * is the schema's output (unknown keys dropped, defaults applied), exactly as clients will
 * read it back. Anything else throws `invalid_event` naming the event and the rule.
 */
export function checkedEventDraft(pipeline: { readonly name: string; readonly events?: EventSchemas | undefined }, type: string, payload: unknown): EventDraft {
  if (RESULT_TYPES.has(type)) {
    const parsed = eventPayloadSchemas[type as keyof typeof eventPayloadSchemas].safeParse(payload);
    if (!parsed.success) throw invalidEvent(type, `its payload does not match the ${type} schema: ${summary(parsed.error)}`);
    return { ...(parsed.data as object), event_type: type } as EventDraft;
  }
  if (!isCustomEventType(type)) {
    throw invalidEvent(type, `a tool emits result events (${RESULT_EVENT_TYPES.join(', ')}) or its pipeline's custom events (data-<name>)`);
  }
  const schema = pipeline.events?.[type];
  if (!schema) {
    const declared = Object.keys(pipeline.events ?? {});
    throw invalidEvent(type, `pipeline ${pipeline.name} does not declare it (declared: ${declared.length ? declared.join(', ') : 'none'})`);
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw invalidEvent(type, `its payload does not match the schema pipeline ${pipeline.name} declared: ${summary(parsed.error)}`);
  return { event_type: type, data: asJson(type, parsed.data) };
}

/** The payload as the JSON a client will read: refused when it is not JSON (a BigInt, a cycle) or too large. */
function asJson(type: string, data: unknown): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw invalidEvent(type, `its payload is not JSON: ${(error as Error).message}`);
  }
  if (json === undefined) throw invalidEvent(type, 'its payload is not JSON (undefined, a function or a symbol)');
  if (Buffer.byteLength(json) > MAX_CUSTOM_EVENT_BYTES) throw invalidEvent(type, `its payload is ${Buffer.byteLength(json)} bytes of JSON, over the limit of ${MAX_CUSTOM_EVENT_BYTES}`);
  return JSON.parse(json);
}

function summary(error: z.ZodError): string {
  const text = z.prettifyError(error).replaceAll('\n', ' ');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function invalidEvent(type: string, reason: string): UnfoldError {
  return new UnfoldError('invalid_event', `event ${JSON.stringify(type.slice(0, 80))} was not emitted: ${reason}`);
}
