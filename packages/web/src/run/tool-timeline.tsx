import type { ToolState } from './run-model.js';

const STATUS_TEXT: Record<ToolState['status'], string> = {
  started: 'started',
  running: 'running',
  completed: 'done',
  failed: 'failed',
  retrying: 'retrying',
  skipped: 'skipped',
};

/** One row per tool: a progress bar, its message, duration, attempts and any failure. */
export function ToolTimeline({ tools }: { tools: readonly ToolState[] }) {
  if (tools.length === 0) return <p className="muted">Waiting for the first tool…</p>;
  return (
    <ol className="timeline" aria-label="Tools">
      {tools.map((tool) => (
        <li key={tool.name} className={`tool tool-${tool.status}`} data-testid="tool" data-tool={tool.name} data-status={tool.status}>
          <div className="tool-head">
            <span className="tool-name">{tool.name}</span>
            <span className="tool-status">
              {STATUS_TEXT[tool.status]}
              {tool.attempt > 1 ? ` · attempt ${tool.attempt}` : ''}
              {tool.durationMs !== undefined ? ` · ${formatMs(tool.durationMs)}` : ''}
              {tool.optional && tool.status === 'failed' ? ' · optional' : ''}
            </span>
          </div>
          <div className="bar" role="progressbar" aria-label={`${tool.name} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(tool.progress)}>
            <div className="bar-fill" style={{ width: `${tool.progress}%` }} />
          </div>
          {tool.message && tool.status !== 'failed' && <p className="tool-message">{tool.message}</p>}
          {tool.error && (tool.status === 'failed' || tool.status === 'retrying') && <p className="tool-error">{tool.error}</p>}
        </li>
      ))}
    </ol>
  );
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
