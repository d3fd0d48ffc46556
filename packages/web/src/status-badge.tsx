import type { RunStatus } from '@unfold/protocol';

export function StatusBadge({ status }: { status: RunStatus | 'unknown' }) {
  return <span className={`status status-${status}`}>{status}</span>;
}
