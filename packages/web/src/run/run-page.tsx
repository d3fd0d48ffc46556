import { useRun } from '@unfold/client/react';
import type { RunResource } from '@unfold/protocol';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'wouter';
import { useClient } from '../client-context.js';
import { errorText } from '../error-text.js';
import { StatusBadge } from '../status-badge.js';
import { ConnectionBadge } from './connection-badge.js';
import { CustomEventsView } from './custom-events-view.js';
import { EmailView } from './email-view.js';
import { EventList } from './event-list.js';
import { ReceiptView } from './receipt-view.js';
import { ReplayBar } from './replay-bar.js';
import { ServerOutageNotice } from './server-outage-notice.js';
import { ToolTimeline, formatMs } from './tool-timeline.js';
import { useReplay } from './use-replay.js';
import type { RunModel } from './run-model.js';
import { useRunModel } from './use-run-model.js';

/** One run of any pipeline, unfolding live: tools, what the pipeline found, the raw events, the connection. */
export function RunPage({ runId }: { runId: string }) {
  const client = useClient();
  const view = useRun(runId, { client });
  const [run, setRun] = useState<RunResource | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [resynced, setResynced] = useState(false);
  const seen = useRef(0);
  const replay = useReplay(view.events);
  const shown = useMemo(() => (replay.replaying ? view.events.slice(0, replay.position) : view.events), [replay.replaying, replay.position, view.events]);
  const model = useRunModel(shown);

  useEffect(() => {
    client.getRun(runId).then(setRun, (error: unknown) => setProblem(errorText(error)));
  }, [client, runId]);

  // The server no longer had our position (retention, a new store): the stream starts over.
  useEffect(() => {
    if (view.events.length < seen.current) setResynced(true);
    seen.current = view.events.length;
  }, [view.events.length]);

  const pipeline = run?.pipeline ?? view.events[0]?.pipeline;
  const finished = model.terminal !== undefined && !replay.replaying;
  const announcement = latestAnnouncement(model.tools, model.terminal?.event_type);

  return (
    <div className="run-page">
      <div className="run-head">
        <Link href="/" className="back">
          ← All runs
        </Link>
        <h1>
          {pipeline ?? 'run'} <span className="run-id">{runId}</span>
        </h1>
        <StatusBadge status={replay.replaying ? model.status : view.status} />
        <ConnectionBadge connection={view.connection} />
      </div>
      <ServerOutageNotice connection={view.connection} />
      <p className="visually-hidden" aria-live="polite" data-testid="announcer">
        {announcement}
      </p>
      {problem && !view.events.length && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      {view.error && (
        <p className="problem" role="alert">
          {errorText(view.error)}
        </p>
      )}
      {resynced && (
        <p className="notice" role="alert">
          The server no longer held this run from where the page had it, so it was read again from the start.
        </p>
      )}
      {(finished || replay.replaying) && <ReplayBar replay={replay} total={view.events.length} />}
      {model.terminal && (
        <p className={`outcome outcome-${model.terminal.event_type}`} data-testid="outcome">
          {model.terminal.event_type === 'processing_completed' && `Completed in ${formatMs(model.terminal.duration_ms)}.`}
          {model.terminal.event_type === 'processing_failed' && `Failed${model.terminal.tool_name ? ` in ${model.terminal.tool_name}` : ''}: ${model.terminal.error}`}
          {model.terminal.event_type === 'processing_cancelled' && `Cancelled: ${model.terminal.reason}`}
        </p>
      )}
      <div className="run-grid">
        <section className="panel" aria-labelledby="tools-title">
          <h2 id="tools-title">Tools</h2>
          <ToolTimeline tools={model.tools} />
        </section>
        {pipeline && <PipelineView pipeline={pipeline} runId={runId} model={model} />}
      </div>
      <EventList events={shown} model={model} />
    </div>
  );
}

/** What the pipeline found: the built-in receipt and email pipelines have views of their own; any other, the user's included, shows its data-* events once the first one streams. */
function PipelineView({ pipeline, runId, model }: { pipeline: string; runId: string; model: RunModel }) {
  if (pipeline === 'receipt') return <ReceiptView runId={runId} model={model} />;
  if (pipeline === 'email') return <EmailView model={model} />;
  return model.customEvents.length > 0 ? <CustomEventsView events={model.customEvents} /> : null;
}

function latestAnnouncement(tools: ReturnType<typeof useRunModel>['tools'], terminal: string | undefined): string {
  if (terminal) return `Run ${terminal.replace('processing_', '')}.`;
  const done = tools.filter((tool) => tool.status === 'completed').length;
  const current = tools.find((tool) => tool.status === 'running' || tool.status === 'started' || tool.status === 'retrying');
  return current ? `${current.name} ${current.status === 'retrying' ? 'retrying' : `at ${Math.round(current.progress / 10) * 10}%`}; ${done} of ${tools.length} tools done.` : `${done} tools done.`;
}
