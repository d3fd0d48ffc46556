import { describe, expect, it } from 'vitest';
import { parseNewApiKey } from './api-key-store.js';
import { runKey } from './run-key.js';
import { newRunRecord, toRunResource } from './store.js';

describe('toRunResource', () => {
  it('names the run by its id, not its key, and carries a result only when there is one', () => {
    const record = newRunRecord({ run_id: runKey('acme', 'invoice-7'), tenant: 'acme', pipeline: 'demo', input: { a: 1 } });
    expect(toRunResource(record, 3)).toEqual({
      run_id: 'invoice-7',
      pipeline: 'demo',
      status: 'queued',
      created_at: record.created_at,
      started_at: null,
      finished_at: null,
      last_seq: 3,
      error: null,
      metadata: {},
    });
    expect(toRunResource(record, 3)).not.toHaveProperty('result');
    expect(toRunResource({ ...record, result: null }, 3)).toHaveProperty('result', null);
    expect(toRunResource({ ...record, result: { total: '9.99' } }, 3).result).toEqual({ total: '9.99' });
  });
});

describe('parseNewApiKey', () => {
  it('takes no label or an empty one as none, and names the rule a bad tenant or label breaks', () => {
    expect(parseNewApiKey({ tenant: 'acme' })).toEqual({ tenant: 'acme', label: null });
    expect(parseNewApiKey({ tenant: 'acme', label: '' })).toEqual({ tenant: 'acme', label: null });
    expect(parseNewApiKey({ tenant: 'acme', label: 'ci runner' })).toEqual({ tenant: 'acme', label: 'ci runner' });
    expect(() => parseNewApiKey({ tenant: 'a/b' })).toThrow(expect.objectContaining({ code: 'validation_failed', message: 'tenant "a/b": a tenant is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit' }));
    expect(() => parseNewApiKey({ tenant: 'acme', label: 'x\ny' })).toThrow(expect.objectContaining({ code: 'validation_failed', message: 'label: a label has no control characters' }));
  });
});
