/** The part of a JSON Schema (as `GET /v1/pipelines` gives a pipeline's input) the form reads. */
interface SchemaNode {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: SchemaNode[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

export interface InputField {
  name: string;
  type: string;
  required: boolean;
  /** Its description, default and bounds, in a few words. */
  note: string;
}

function typeText(node: SchemaNode): string {
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (node.anyOf) return node.anyOf.map(typeText).join(' | ');
  const type = Array.isArray(node.type) ? node.type.join(' | ') : (node.type ?? 'any');
  return type === 'array' && node.items ? `array of ${typeText(node.items)}` : type;
}

function noteText(node: SchemaNode): string {
  const bounds: Array<[string, number | undefined]> = [
    ['≥', node.minimum],
    ['≤', node.maximum],
    ['length ≥', node.minLength],
    ['length ≤', node.maxLength],
    ['items ≥', node.minItems],
    ['items ≤', node.maxItems],
  ];
  return [
    node.description,
    node.default === undefined ? undefined : `default ${JSON.stringify(node.default)}`,
    ...bounds.flatMap(([what, value]) => (value === undefined ? [] : [`${what} ${value}`])),
  ]
    .filter((part) => part !== undefined)
    .join(' · ');
}

/** The top-level fields of an input schema, to read before typing the input. */
export function inputFields(schema: Record<string, unknown>): InputField[] {
  const node = schema as SchemaNode;
  const required = new Set(node.required ?? []);
  return Object.entries(node.properties ?? {}).map(([name, field]) => ({ name, type: typeText(field), required: required.has(name), note: noteText(field) }));
}

const EMPTY: Record<string, unknown> = { string: '', number: 0, integer: 0, boolean: false, array: [], object: {} };

/** A starting input: each required field with an empty value of its type, for the person to fill in. */
export function inputSkeleton(schema: Record<string, unknown>): string {
  const node = schema as SchemaNode;
  const skeleton = Object.fromEntries(
    (node.required ?? []).map((name) => {
      const field = node.properties?.[name] ?? {};
      return [name, field.const ?? field.default ?? EMPTY[Array.isArray(field.type) ? (field.type[0] ?? '') : (field.type ?? '')] ?? null];
    }),
  );
  return JSON.stringify(skeleton, null, 2);
}
