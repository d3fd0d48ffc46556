import { runStatusSchema, type RunStatus } from '@unfold/protocol';
import { useState } from 'react';
import { Link } from 'wouter';
import { StatusBadge } from '../status-badge.js';
import { NewRunPanel } from './new-run-panel.js';
import { PipelineRunPanel } from './pipeline-run-panel.js';
import { usePipelines } from './use-pipelines.js';
import { useRunsList, type RunsFilter } from './use-runs-list.js';

export function RunsPage() {
  const [filter, setFilter] = useState<RunsFilter>({ pipeline: undefined, status: undefined });
  const list = useRunsList(filter);
  const pipelines = usePipelines();
  const change = (patch: Partial<RunsFilter>) => {
    list.reset();
    setFilter({ ...filter, ...patch });
  };

  return (
    <div className="runs-page">
      <div className="start-grid">
        <NewRunPanel />
        <PipelineRunPanel pipelines={pipelines.pipelines} error={pipelines.error} />
      </div>
      <section className="panel" aria-labelledby="runs-title">
        <div className="panel-head">
          <h2 id="runs-title">Runs</h2>
          <span className={`feed feed-${list.feed}`} title="The list updates itself while this says live">
            {list.feed === 'live' ? 'live' : list.feed === 'closed' ? 'not live' : 'connecting…'}
          </span>
        </div>
        <div className="filters">
          <label>
            Pipeline
            <select value={filter.pipeline ?? ''} onChange={(event) => change({ pipeline: event.target.value || undefined })}>
              <option value="">all</option>
              {pipelines.pipelines.map((pipeline) => (
                <option key={pipeline.name}>{pipeline.name}</option>
              ))}
            </select>
          </label>
          <label>
            Status
            <select value={filter.status ?? ''} onChange={(event) => change({ status: (event.target.value || undefined) as RunStatus | undefined })}>
              <option value="">all</option>
              {runStatusSchema.options.map((status) => (
                <option key={status}>{status}</option>
              ))}
            </select>
          </label>
        </div>
        {list.error && (
          <p className="problem" role="alert">
            {list.error}
          </p>
        )}
        {!list.loading && list.rows.length === 0 && !list.error && <p className="muted">No runs yet. Start one above.</p>}
        <ul className="runs" data-testid="runs-list">
          {list.rows.map((run) => (
            <li key={run.run_id}>
              <Link href={`/runs/${encodeURIComponent(run.run_id)}`} className="run-row">
                <span className="run-pipeline">{run.pipeline}</span>
                <span className="run-id">{run.run_id}</span>
                <time dateTime={run.created_at}>{new Date(run.created_at).toLocaleString()}</time>
                <StatusBadge status={run.status} />
              </Link>
            </li>
          ))}
        </ul>
        <nav className="pager" aria-label="Pages">
          <button type="button" className="secondary" disabled={!list.hasPrevious} onClick={list.previous}>
            ← Newer
          </button>
          <span>Page {list.page}</span>
          <button type="button" className="secondary" disabled={!list.hasNext} onClick={list.next}>
            Older →
          </button>
        </nav>
      </section>
    </div>
  );
}
