/** The most of one payload's JSON a page renders: a custom event's data may be 256 KiB, and hundreds of them stream. */
export const MAX_JSON_CHARS = 8_000;

export interface JsonText {
  text: string;
  /** Characters left out past `MAX_JSON_CHARS`; 0 when all of it is there. */
  omitted: number;
}

/** Indented JSON to read, cut where it would be too long to render. */
export function prettyJson(value: unknown, max = MAX_JSON_CHARS): JsonText {
  const text = JSON.stringify(value, null, 2) ?? String(value);
  return text.length > max ? { text: text.slice(0, max), omitted: text.length - max } : { text, omitted: 0 };
}

/** The JSON on one line, shortened to `max` characters: a row's summary. */
export function oneLineJson(value: unknown, max = 160): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
