import { z } from 'zod';

export const runStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

export function isFinishedStatus(status: RunStatus): boolean {
  return FINISHED_RUN_STATUSES.includes(status);
}
