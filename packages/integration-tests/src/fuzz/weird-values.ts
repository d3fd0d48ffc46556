import fc from 'fast-check';

/**
 * Values a hostile or broken client might put anywhere: every JSON shape, numbers at and
 * past the edges, unicode of every plane, and nesting deeper than any parser expects.
 */

/** `[[[…]]]` or `{"a":{"a":…}}` as text, `depth` levels deep. */
export function nestedJsonText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** The same nesting as a value, built without recursion. */
export function nestedValue(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
}

export const depthArb = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1_000, max: 6_000 }));

export const edgeNumberArb = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 2 ** 31, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1e21, 0.5, -1e-7),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

export const unicodeStringArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\uFEFF', '\uD800', 'é', '🧾', '../../etc/passwd', '%00', '<script>', "'; DROP TABLE runs; --", '\r\n\r\n'),
);

export const weirdValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 4 },
  { arbitrary: edgeNumberArb, weight: 2 },
  { arbitrary: unicodeStringArb, weight: 2 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}), weight: 1 },
  { arbitrary: fc.integer({ min: 1_000, max: 70_000 }).map((length) => 'x'.repeat(length)), weight: 1 },
  // As a value only as deep as JSON.stringify can write; deeper nesting is sent as text.
  { arbitrary: fc.integer({ min: 1, max: 800 }).map(nestedValue), weight: 1 },
);

/** Raw JSON text a serializer would never write: numbers beyond double range, deep nesting, duplicate keys. */
export const oddJsonTextArb = fc.oneof(
  fc.tuple(depthArb, fc.constantFrom('array' as const, 'object' as const)).map(([depth, kind]) => nestedJsonText(depth, kind)),
  fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '{"a":1,"a":2}', '"\\ud800"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}'),
);

const RUN_ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-';
const runIdCharArb = fc.constantFrom(...RUN_ID_CHARS);

/** A run id the server accepts (1–128 characters, starting with a letter or digit). */
export const validRunIdArb = fc
  .tuple(fc.constantFrom(...RUN_ID_CHARS.slice(0, 62)), fc.string({ unit: runIdCharArb, maxLength: 40 }))
  .map(([first, rest]) => `fz${first}${rest}`);

/** A path segment as sent on the wire, already encoded (or deliberately mis-encoded). */
export const pathParamArb = fc.oneof(
  { arbitrary: validRunIdArb, weight: 3 },
  { arbitrary: fc.integer({ min: 100, max: 140 }).map((length) => 'a'.repeat(length)), weight: 1 },
  { arbitrary: fc.integer({ min: 141, max: 9_000 }).map((length) => 'b'.repeat(length)), weight: 1 },
  { arbitrary: unicodeStringArb.map((text) => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '?'))), weight: 2 },
  { arbitrary: fc.constantFrom('%', '%zz', '%E0%A4', '%C0%AF', '%00', '%2F', '%2e%2e', '..', '.', '%FF%FE', 'a%', 'caf%C3%A9', '%F0%9F%A7%BE'), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((text) => !/[/?#%\s\\]/.test(text)), weight: 1 },
);
