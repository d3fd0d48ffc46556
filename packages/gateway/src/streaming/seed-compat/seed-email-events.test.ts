import type { UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { seedProcessingResult, toSeedEmailMessage } from './seed-email-events.js';

/** A stored event of any type, envelope filled in. */
const stored = (fields: Record<string, unknown>): UnfoldEvent =>
  ({ run_id: 'r1', seq: 1, event_id: 'r1:1', pipeline: 'email', timestamp: '2026-01-01T00:00:00.000Z', metadata: {}, ...fields }) as unknown as UnfoldEvent;

const completed = (result: unknown) => stored({ event_type: 'processing_completed', duration_ms: 5, result }) as UnfoldEvent & { event_type: 'processing_completed' };

describe('seed 003 email messages', () => {
  it('names the start of each stage the add-in knows, on the first attempt only', () => {
    const starts = ['extract', 'research', 'validate', 'create_records'].map((tool_name) => toSeedEmailMessage(stored({ event_type: 'tool_started', tool_name, status: 'started', attempt: 1 })));
    expect(starts).toEqual([
      { type: 'extraction_start', data: { correlation_id: 'r1', message: 'extract started' } },
      { type: 'research_start', data: { correlation_id: 'r1', message: 'research started' } },
      { type: 'validation_start', data: { correlation_id: 'r1', message: 'validate started' } },
      { type: 'zoho_start', data: { correlation_id: 'r1', message: 'create_records started' } },
    ]);
    expect(toSeedEmailMessage(stored({ event_type: 'tool_started', tool_name: 'extract', status: 'started', attempt: 2 }))).toBeUndefined();
    expect(toSeedEmailMessage(stored({ event_type: 'tool_started', tool_name: 'parse', status: 'started', attempt: 1 }))).toBeUndefined();
  });

  it('carries the fields the add-in reads for each kind of progress', () => {
    expect(toSeedEmailMessage(stored({ event_type: 'extraction_token', delta: 'Ja', index: 3 }))).toEqual({ type: 'extraction_token', data: { correlation_id: 'r1', token: 'Ja', index: 3 } });
    expect(toSeedEmailMessage(stored({ event_type: 'extraction_field', field_name: 'email', value: 'a@b.c' }))).toEqual({
      type: 'extraction_field',
      data: { correlation_id: 'r1', field: 'email', value: 'a@b.c' },
    });
    expect(toSeedEmailMessage(stored({ event_type: 'research_result', status: 'found', result: { size: 3 }, confidence: 0.5 }))).toEqual({
      type: 'research_result',
      data: { correlation_id: 'r1', status: 'complete', outcome: 'found', result: { size: 3 }, confidence: 0.5 },
    });
    expect(toSeedEmailMessage(stored({ event_type: 'research_result', status: 'not_found', result: {} }))?.data).toMatchObject({ status: 'complete', outcome: 'not_found', confidence: null });
    expect(toSeedEmailMessage(stored({ event_type: 'research_result', status: 'timeout', result: {} }))?.data).toMatchObject({ status: 'timeout', outcome: 'timeout' });
    expect(toSeedEmailMessage(stored({ event_type: 'validation_result', rule: 'email', passed: false, message: 'no @' }))).toEqual({
      type: 'validation_result',
      data: { correlation_id: 'r1', rule: 'email', passed: false, message: 'no @' },
    });
    const record = (created: boolean) => toSeedEmailMessage(stored({ event_type: 'record_created', sink: 'zoho', record_type: 'deal', record_id: 'd1', created }));
    expect(record(true)).toEqual({ type: 'zoho_progress', data: { correlation_id: 'r1', message: 'Created deal d1 (zoho)', record_type: 'deal', record_id: 'd1' } });
    expect(record(false)?.data['message']).toBe('Found deal d1 (zoho)');
    expect(toSeedEmailMessage(stored({ event_type: 'tool_completed', tool_name: 'create_records', status: 'completed', duration_ms: 1 }))).toEqual({
      type: 'zoho_complete',
      data: { correlation_id: 'r1', message: 'Records saved' },
    });
    expect(toSeedEmailMessage(stored({ event_type: 'tool_completed', tool_name: 'extract', status: 'completed', duration_ms: 1 }))).toBeUndefined();
    expect(toSeedEmailMessage(stored({ event_type: 'processing_started' }))).toBeUndefined();
  });

  it('ends with an error carrying the code, or complete carrying the result', () => {
    expect(toSeedEmailMessage(stored({ event_type: 'processing_failed', duration_ms: 1, error: 'no text', code: 'no_text_found' }))).toEqual({
      type: 'error',
      data: { correlation_id: 'r1', error: 'no text', code: 'no_text_found' },
    });
    expect(toSeedEmailMessage(stored({ event_type: 'processing_cancelled', duration_ms: 1, reason: 'asked to' }))).toEqual({
      type: 'error',
      data: { correlation_id: 'r1', error: 'asked to', code: 'cancelled' },
    });
    const complete = toSeedEmailMessage(completed({ extracted: {}, records: [] }));
    expect(complete).toEqual({ type: 'complete', data: { correlation_id: 'r1', result: seedProcessingResult(completed({ extracted: {}, records: [] })) } });
  });

  it('builds the original processing result from the run result', () => {
    const records = [
      { record_type: 'account', record_id: 'a1', created: true },
      { record_type: 'contact', record_id: 'c1', created: false },
      { record_type: 'deal', record_id: 'd1', created: true },
    ];
    const extracted = { job_title: 'Engineer', location: 'Oslo, Norway', company_name: 'Acme', email: 'j@acme.test' };
    expect(seedProcessingResult(completed({ sink: 'zoho', extracted, records }))).toEqual({
      status: 'success',
      message: 'Records created',
      deal_id: 'd1',
      account_id: 'a1',
      contact_id: 'c1',
      deal_name: 'Engineer (Oslo) - Acme',
      primary_email: 'j@acme.test',
      extracted,
      saved_to_db: false,
      saved_to_zoho: true,
      correlation_id: 'r1',
    });
    expect(seedProcessingResult(completed({ sink: 'postgres', extracted, records }))).toMatchObject({ saved_to_db: true, saved_to_zoho: false });
    expect(seedProcessingResult(completed(null))).toEqual({
      status: 'success',
      message: 'Email processed',
      deal_id: null,
      account_id: null,
      contact_id: null,
      deal_name: 'Unknown role (Unknown location) - Unknown company',
      primary_email: null,
      extracted: {},
      saved_to_db: false,
      saved_to_zoho: false,
      correlation_id: 'r1',
    });
    expect(seedProcessingResult(completed({ sink: 'zoho', extracted: {}, records: [] }))).toMatchObject({ message: 'Email processed', saved_to_db: false, saved_to_zoho: false });
  });
});
