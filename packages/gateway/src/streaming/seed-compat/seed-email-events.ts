import type { UnfoldEvent } from '@unfold/protocol';

/** A message of seed 003's protocol: `{"type", "data"}`. */
export interface SeedEmailMessage {
  type: string;
  data: Record<string, unknown>;
}

const STARTS: Record<string, string> = { extract: 'extraction_start', research: 'research_start', validate: 'validation_start', create_records: 'zoho_start' };

interface EmailResult {
  sink?: string | null;
  extracted?: Record<string, string>;
  records?: Array<{ record_type: string; record_id: string; created: boolean }>;
}

/** The original's processing result, from the completed run's result. */
export function seedProcessingResult(event: UnfoldEvent & { event_type: 'processing_completed' }): Record<string, unknown> {
  const result = (event.result ?? {}) as EmailResult;
  const extracted = result.extracted ?? {};
  const recordId = (type: string) => result.records?.find((record) => record.record_type === type)?.record_id ?? null;
  const dealName = `${extracted['job_title'] ?? 'Unknown role'} (${extracted['location']?.split(',')[0] ?? 'Unknown location'}) - ${extracted['company_name'] ?? 'Unknown company'}`;
  return {
    status: 'success',
    message: result.records?.length ? 'Records created' : 'Email processed',
    deal_id: recordId('deal'),
    account_id: recordId('account'),
    contact_id: recordId('contact'),
    deal_name: dealName,
    primary_email: extracted['email'] ?? null,
    extracted,
    saved_to_db: (result.records?.length ?? 0) > 0 && result.sink !== 'zoho',
    saved_to_zoho: (result.records?.length ?? 0) > 0 && result.sink === 'zoho',
    correlation_id: event.run_id,
  };
}

/**
 * Core events as seed 003's add-in expects them; events it has no name for are dropped.
 * `data.token`, `data.field`/`data.value`, `data.status`/`data.result`, `data.message`,
 * `data.error` and `data.result` on `complete` are the fields it reads.
 */
export function toSeedEmailMessage(event: UnfoldEvent): SeedEmailMessage | undefined {
  const common = { correlation_id: event.run_id };
  switch (event.event_type) {
    case 'tool_started': {
      const type = STARTS[event.tool_name];
      return type && event.attempt === 1 ? { type, data: { ...common, message: `${event.tool_name} started` } } : undefined;
    }
    case 'extraction_token':
      return { type: 'extraction_token', data: { ...common, token: event.delta, index: event.index } };
    case 'extraction_field':
      return { type: 'extraction_field', data: { ...common, field: event.field_name, value: event.value } };
    case 'research_result':
      // The original said `complete` once research was over (its add-in reads the company then); how it ended is `outcome`.
      return { type: 'research_result', data: { ...common, status: event.status === 'timeout' ? 'timeout' : 'complete', outcome: event.status, result: event.result, confidence: event.confidence ?? null } };
    case 'validation_result':
      return { type: 'validation_result', data: { ...common, rule: event.rule, passed: event.passed, message: event.message } };
    case 'record_created':
      return { type: 'zoho_progress', data: { ...common, message: `${event.created ? 'Created' : 'Found'} ${event.record_type} ${event.record_id} (${event.sink})`, record_type: event.record_type, record_id: event.record_id } };
    case 'tool_completed':
      return event.tool_name === 'create_records' ? { type: 'zoho_complete', data: { ...common, message: 'Records saved' } } : undefined;
    case 'processing_failed':
      return { type: 'error', data: { ...common, error: event.error, code: event.code } };
    case 'processing_cancelled':
      return { type: 'error', data: { ...common, error: event.reason, code: 'cancelled' } };
    case 'processing_completed':
      return { type: 'complete', data: { ...common, result: seedProcessingResult(event) } };
    // Stryker disable next-line ConditionalExpression: equivalent, a switch that falls out returns undefined as this case does
    default:
      return undefined;
  }
}
