import { definePipeline, defineTool, type Tool } from '@unfold/engine';
import { UnfoldError } from '@unfold/protocol';
import { domainNameProvider, researchCompany, researchQuery, type ResearchOutcome, type ResearchProvider } from './company-research.js';
import { emailInputSchema, type EmailInput } from './email-input.js';
import { parseEmail, type ParsedEmail } from './parse-email.js';
import { extractByRules, type ExtractedField } from './rules-extractor.js';
import type { CreatedRecord, RecordSink } from './sinks/record-sink.js';
import { validateFields, type ValidatedRecord } from './validate-fields.js';

const parse = defineTool({
  name: 'parse',
  input: emailInputSchema,
  async run(context) {
    const email = await parseEmail(context.input);
    context.progress(100, `${email.body.length} characters${email.signature ? ', signature found' : ''}${email.quoted ? ', quoted text set aside' : ''}`);
    return email;
  },
});

const extract = defineTool({
  name: 'extract',
  run(context) {
    const fields = extractByRules(context.outputs['parse'] as ParsedEmail);
    for (const field of fields) context.emit('extraction_field', { field_name: field.field_name, value: field.value, complete: true, reasoning: field.source, ...(field.confidence === undefined ? {} : { confidence: field.confidence }) });
    return fields;
  },
});

function research(providers: readonly ResearchProvider[], timeoutMs: number) {
  return defineTool({
    name: 'research',
    // Research never fails the run: the tool falls back to a low-confidence guess itself.
    optional: true,
    async run(context) {
      const email = context.outputs['parse'] as ParsedEmail;
      context.progress(0, 'researching the company');
      const outcome = await researchCompany(researchQuery(email), providers, {
        timeoutMs,
        signal: context.signal,
        onWait: (elapsed) => context.progress(Math.min(95, (elapsed / timeoutMs) * 100), `still researching (${Math.round(elapsed / 1000)} s)`),
      });
      context.emit('research_result', {
        status: outcome.status,
        result: { ...outcome.finding },
        ...(outcome.finding ? { confidence: outcome.finding.confidence, source: outcome.finding.source } : {}),
      });
      return outcome;
    },
  });
}

const validate = defineTool({
  name: 'validate',
  run(context) {
    const researched = (context.outputs['research'] as ResearchOutcome | undefined)?.finding;
    // Research replaces the extracted guess only when it is sure; the offline domain
    // reading (0.5) does not beat an organisation line read from the signature.
    const record = validateFields(context.outputs['extract'] as ExtractedField[], researched && researched.confidence >= 0.7 ? { researchedCompany: researched.company_name } : {});
    for (const note of record.notes) context.emit('validation_result', { ...note, severity: note.passed ? 'info' : 'warning' });
    return record;
  },
});

/** Saves the validated record; the run id is the idempotency key, so a retried run saves once. */
function createRecords(sink: RecordSink) {
  return defineTool({
    name: 'create_records',
    timeoutMs: 30_000,
    // A sink marks what another try may cure (a timeout, a 5xx) transient; anything else it
    // throws (a constraint, a bug) would fail the same way again, so it is not retried.
    retries: { retries: 3, initialDelayMs: 250, maxDelayMs: 4_000, retryable: (error) => UnfoldError.isInstance(error) && error.transient },
    async run(context) {
      const record = context.outputs['validate'] as ValidatedRecord;
      const created = await sink.save(record.fields, context.runId, (context.outputs['parse'] as ParsedEmail).attachments);
      for (const entry of created) context.emit('record_created', { sink: sink.name, record_type: entry.record_type, record_id: entry.record_id, created: entry.created });
      return created;
    },
  });
}

export interface EmailPipelineOptions {
  /** Where records are created; without one the run ends at the validated record. */
  sink?: RecordSink;
  /** The extractor tool (named `extract`): the rules by default, or `modelExtractor(model)`. */
  extractor?: Tool<EmailInput>;
  /** Company research providers, asked at once; default: the sender's domain (offline). */
  researchProviders?: readonly ResearchProvider[];
  /** After this the run goes on with a low-confidence guess (default 5 s, as the original). */
  researchTimeoutMs?: number;
}

/**
 * An email (RFC 5322 or the original API's JSON) → parsed text, quote and signature →
 * (contact and job fields by rules ∥ company research) → a cleaned record → records in
 * the configured sink. The model extractor and the Zoho sink join it next (issue 5).
 */
export function createEmailPipeline(options: EmailPipelineOptions = {}) {
  return definePipeline({
    name: 'email',
    description: 'email → contact and job fields (rules) ∥ company research → validated record',
    input: emailInputSchema,
    steps: [
      parse,
      [options.extractor ?? extract, research(options.researchProviders ?? [domainNameProvider], options.researchTimeoutMs ?? 5_000)],
      validate,
      ...(options.sink ? [createRecords(options.sink)] : []),
    ],
    result(outputs) {
      const email = outputs['parse'] as ParsedEmail;
      const record = outputs['validate'] as ValidatedRecord;
      const researched = outputs['research'] as ResearchOutcome | undefined;
      const records = (outputs['create_records'] as CreatedRecord[] | undefined) ?? [];
      return { extracted: record.fields, validation: record.notes, research: researched ?? null, records, sink: options.sink?.name ?? null, subject: email.subject, attachments: email.attachments.map(({ content: _content, ...attachment }) => attachment) };
    },
    async close() {
      await options.sink?.close();
    },
  });
}

/** The email pipeline without a sink (evaluation, tests); servers build theirs from configuration. */
export const emailPipeline = createEmailPipeline();
