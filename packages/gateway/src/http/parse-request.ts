import { UnfoldError, type ErrorCode } from '@unfold/protocol';
import { z } from 'zod';

/** Parses with a schema or throws a 4xx `UnfoldError` whose message says what is wrong where. */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, value: unknown, code: ErrorCode = 'validation_failed'): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new UnfoldError(code, z.prettifyError(parsed.error).replaceAll('\n', ' '));
}
