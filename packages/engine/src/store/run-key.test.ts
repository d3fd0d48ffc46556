import { RUN_ID_PATTERN } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT, tenantSchema } from './api-key-store.js';
import { publicRunId, runKey, tenantOfRunKey } from './run-key.js';

describe('run keys', () => {
  it('keep the default tenant\'s run ids as they are', () => {
    expect(runKey(DEFAULT_TENANT, 'invoice-7')).toBe('invoice-7');
    expect(publicRunId('invoice-7')).toBe('invoice-7');
    expect(tenantOfRunKey('invoice-7')).toBe(DEFAULT_TENANT);
  });

  it('give two tenants\' runs of one id two keys, each read back as the id', () => {
    const a = runKey('acme', 'invoice-7');
    const b = runKey('globex', 'invoice-7');
    expect(new Set([a, b, runKey(DEFAULT_TENANT, 'invoice-7')]).size).toBe(3);
    expect([a, b].map(publicRunId)).toEqual(['invoice-7', 'invoice-7']);
    expect([a, b].map(tenantOfRunKey)).toEqual(['acme', 'globex']);
  });

  it('cannot be spelled by another tenant: neither a tenant nor a run id may hold the separator', () => {
    expect(RUN_ID_PATTERN.test('acme/invoice-7')).toBe(false);
    expect(tenantSchema.safeParse('acme/x').success).toBe(false);
    // a default-tenant id that looked like another tenant's key would be refused as a run id
    expect(runKey(DEFAULT_TENANT, 'acme.invoice-7')).not.toBe(runKey('acme', 'invoice-7'));
  });
});
