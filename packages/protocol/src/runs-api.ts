import { z } from 'zod';
import { runStatusSchema } from './run-status.js';

/** The longest run id; every route that takes one in its path accepts ids this long. */
export const MAX_RUN_ID_LENGTH = 128;
/** Objects and arrays nested in a JSON request body, the body itself counting as one. */
export const MAX_JSON_DEPTH = 64;

/** Caller-chosen run ids are URL- and log-key-safe so they can be used before the run exists. */
export const RUN_ID_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,${MAX_RUN_ID_LENGTH - 1}}$`);
export const runIdSchema = z.string().regex(RUN_ID_PATTERN, `run_id must be 1–${MAX_RUN_ID_LENGTH} of A–Z a–z 0–9 _ . - and start with a letter or digit`);
export const pipelineNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'pipeline must be a lowercase name');

export const createRunRequestSchema = z.strictObject({
  pipeline: pipelineNameSchema,
  input: z.record(z.string(), z.unknown()).default({}),
  run_id: runIdSchema.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type CreateRunRequest = z.input<typeof createRunRequestSchema>;

export const runErrorSchema = z.object({ code: z.string(), message: z.string() });

export const runResourceSchema = z.object({
  run_id: z.string(),
  pipeline: z.string(),
  status: runStatusSchema,
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  /** The seq of the newest event in the log for this run (0 before the first). */
  last_seq: z.number().int().nonnegative(),
  result: z.unknown().optional(),
  error: runErrorSchema.nullable(),
  metadata: z.record(z.string(), z.unknown()),
});
export type RunResource = z.infer<typeof runResourceSchema>;

export const createRunResponseSchema = z.object({ run_id: z.string(), status: runStatusSchema, events_url: z.string() });
export type CreateRunResponse = z.infer<typeof createRunResponseSchema>;

export const listRunsQuerySchema = z.object({
  status: runStatusSchema.optional(),
  pipeline: pipelineNameSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque cursor from the previous page's `next_cursor`. */
  cursor: z.string().max(200).optional(),
});
export type ListRunsQuery = z.input<typeof listRunsQuerySchema>;

export const runListSchema = z.object({ runs: z.array(runResourceSchema), next_cursor: z.string().nullable() });
export type RunList = z.infer<typeof runListSchema>;

/** Long-poll answer of `GET /v1/runs/:id/events` with `Accept: application/json`. */
export const pollResponseSchema = z.object({
  run_id: z.string(),
  status: runStatusSchema.nullable(),
  epoch: z.string(),
  events: z.array(z.record(z.string(), z.unknown())),
  /** Pass as `after` on the next poll. */
  last_seq: z.number().int().nonnegative(),
  /** True once the terminal event has been delivered: no further poll is needed. */
  done: z.boolean(),
});
export type PollResponse = z.infer<typeof pollResponseSchema>;
