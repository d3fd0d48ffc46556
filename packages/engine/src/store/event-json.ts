import type { UnfoldEvent } from '@unfold/protocol';

const cache = new WeakMap<UnfoldEvent, string>();

/**
 * JSON of a stored event, serialised once however many times it is written: the store
 * and every subscriber's socket share one `JSON.stringify`, so a run watched by a
 * thousand clients costs one serialisation per event, not a thousand and one.
 */
export function eventJson(event: UnfoldEvent): string {
  let json = cache.get(event);
  if (json === undefined) {
    json = JSON.stringify(event);
    cache.set(event, json);
  }
  return json;
}

const bytesCache = new WeakMap<UnfoldEvent, Buffer>();

/** The event's JSON as UTF-8 bytes, encoded once for every socket it is written to. */
export function eventBytes(event: UnfoldEvent): Buffer {
  let bytes = bytesCache.get(event);
  if (bytes === undefined) {
    bytes = Buffer.from(eventJson(event));
    bytesCache.set(event, bytes);
  }
  return bytes;
}
