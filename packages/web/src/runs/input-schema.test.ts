import { describe, expect, it } from 'vitest';
import { inputFields, inputSkeleton } from './input-schema.js';

// The shape GET /v1/pipelines gives the invoice fixture's input (zod's JSON Schema).
const INVOICE = {
  type: 'object',
  required: ['vendor', 'lines'],
  properties: {
    vendor: { type: 'string', minLength: 1 },
    lines: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'object', properties: { item: { type: 'string' }, amount: { type: 'number' } } } },
    pace_ms: { type: 'number', minimum: 0, maximum: 1000, default: 0, description: 'Milliseconds between lines' },
    currency: { const: 'EUR' },
  },
};

describe('input schema', () => {
  it('lists the top-level fields with their type, whether required, and their notes', () => {
    expect(inputFields(INVOICE)).toEqual([
      { name: 'vendor', type: 'string', required: true, note: 'length ≥ 1' },
      { name: 'lines', type: 'array of object', required: true, note: 'items ≥ 1 · items ≤ 1000' },
      { name: 'pace_ms', type: 'number', required: false, note: 'Milliseconds between lines · default 0 · ≥ 0 · ≤ 1000' },
      { name: 'currency', type: '"EUR"', required: false, note: '' },
    ]);
    expect(inputFields({})).toEqual([]);
  });

  it('starts the input with each required field, empty for its type', () => {
    expect(JSON.parse(inputSkeleton(INVOICE))).toEqual({ vendor: '', lines: [] });
    expect(JSON.parse(inputSkeleton({ type: 'object' }))).toEqual({});
  });
});
