import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { defineTool } from '@unfold/engine';
import { UnfoldError } from '@unfold/protocol';
import { APICallError, NoObjectGeneratedError, streamObject, type LanguageModel } from 'ai';
import { z } from 'zod';
import type { ParsedEmail } from './parse-email.js';
import { EMAIL_FIELDS, type EmailField, type ExtractedField } from './rules-extractor.js';

/** Every field is present and may be null: what strict structured-output endpoints require. */
const extractionSchema = z.object(Object.fromEntries(EMAIL_FIELDS.map((field) => [field, z.string().nullable()])) as Record<EmailField, z.ZodNullable<z.ZodString>>);

const INSTRUCTIONS = `You read emails forwarded to a recruiting team and return the candidate's details as JSON.
The candidate is the person the sender introduces, refers or recommends, if the email does that; otherwise the person writing.
Fields: candidate_name, job_title (their current title or the role discussed), location (City, ST),
company_name, referrer_name and referrer_email (who referred them, if anyone: in a referral, the sender),
phone and email (the candidate's, never the referrer's), website, calendly_url, industry.
Use null for anything the email does not say. Copy values as written; do not invent.`;

function prompt(email: ParsedEmail): string {
  return [`From: ${email.sender_name} <${email.sender_email}>`, `Subject: ${email.subject}`, '', email.body, email.signature ? `\nSignature:\n${email.signature}` : ''].join('\n');
}

/** Model failures as engine errors: network trouble and 5xx are worth a retry, bad JSON is not. */
function toUnfoldError(error: unknown): UnfoldError {
  if (UnfoldError.isInstance(error)) return error;
  if (NoObjectGeneratedError.isInstance(error)) return new UnfoldError('tool_failed', `the model's answer is not the JSON asked for: ${error.message}`, { cause: error });
  if (APICallError.isInstance(error)) return new UnfoldError('tool_failed', `the model endpoint answered ${error.statusCode ?? 'nothing'}: ${error.message}`, { transient: error.isRetryable, cause: error });
  return new UnfoldError('tool_failed', `the model call failed: ${(error as Error).message ?? String(error)}`, { transient: true, cause: error });
}

const tracer = trace.getTracer('@unfold/pipelines');

/** The OpenTelemetry GenAI names of a model: provider and model id. */
function modelAttributes(model: LanguageModel): Record<string, string> {
  if (typeof model === 'string') return { 'gen_ai.request.model': model };
  return { 'gen_ai.provider.name': model.provider.split('.')[0] ?? model.provider, 'gen_ai.request.model': model.modelId };
}

/**
 * The language-model extractor, behind the same tool name as the rules: streams the
 * model's tokens as `extraction_token` events and each field as an `extraction_field` the
 * moment the partial answer moves past it (JSON keys arrive in order), then validates the
 * whole answer against the schema.
 */
export function modelExtractor(model: LanguageModel) {
  return defineTool({
    name: 'extract',
    timeoutMs: 60_000,
    retries: { retries: 2, initialDelayMs: 500, maxDelayMs: 5_000 },
    async run(context): Promise<ExtractedField[]> {
      const email = context.outputs['parse'] as ParsedEmail;
      const announced = new Map<EmailField, string>();
      const announce = (field: EmailField, value: unknown): void => {
        if (typeof value !== 'string' || value === '' || announced.get(field) === value) return;
        announced.set(field, value);
        context.emit('extraction_field', { field_name: field, value, complete: true });
      };
      const attributes = modelAttributes(model);
      // A chat span per the GenAI semantic conventions, a child of the tool's span.
      const span = tracer.startSpan(`chat ${attributes['gen_ai.request.model']}`, { kind: SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': 'chat', ...attributes } }, context.traceContext);
      try {
        // Retries belong to the engine (with backoff and events); errors surface through the stream.
        const result = streamObject({ model, schema: extractionSchema, system: INSTRUCTIONS, prompt: prompt(email), abortSignal: context.signal, maxRetries: 0, onError: () => undefined });
        let index = 0;
        for await (const part of result.fullStream) {
          if (part.type === 'text-delta') context.emit('extraction_token', { delta: part.textDelta, index: index++ });
          else if (part.type === 'object') {
            const keys = Object.keys(part.object) as EmailField[];
            // Every key but the last is finished: the model has moved on to the next one.
            for (const key of keys.slice(0, -1)) announce(key, part.object[key]);
          } else if (part.type === 'error') throw part.error;
        }
        const answer = await result.object;
        const usage = await result.usage;
        if (usage.inputTokens !== undefined) span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
        if (usage.outputTokens !== undefined) span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
        const response = await result.response;
        if (response.modelId) span.setAttribute('gen_ai.response.model', response.modelId);
        for (const field of EMAIL_FIELDS) announce(field, answer[field]);
        return EMAIL_FIELDS.flatMap((field) => {
          const value = answer[field]?.trim();
          return value ? [{ field_name: field, value, source: 'the language model', origin: 'text' as const }] : [];
        });
      } catch (error) {
        const failure = toUnfoldError(error);
        span.recordException(failure);
        span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
        span.setAttribute('error.type', failure.code);
        throw failure;
      } finally {
        span.end();
      }
    },
  });
}
