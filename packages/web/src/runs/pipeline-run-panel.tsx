import type { PipelineInfo } from '@unfold/protocol';
import { useState } from 'react';
import { inputFields, inputSkeleton } from './input-schema.js';
import { runFromJson } from './run-input.js';
import { StartStatus } from './start-status.js';
import { useStartRun } from './use-start-run.js';

/**
 * A run of any pipeline the server lists, the user's own included: pick it, read its input
 * schema, type the input as JSON and start it. The server checks the input; a refusal shows
 * its code and message here.
 */
export function PipelineRunPanel({ pipelines, error }: { pipelines: readonly PipelineInfo[]; error: string | undefined }) {
  const { busy, problem, start } = useStartRun();
  const [name, setName] = useState('');
  const [input, setInput] = useState('');
  const chosen = pipelines.find((pipeline) => pipeline.name === name);

  const choose = (next: string) => {
    setName(next);
    const pipeline = pipelines.find((candidate) => candidate.name === next);
    setInput(pipeline ? inputSkeleton(pipeline.input_schema) : '');
  };

  return (
    <section className="panel" aria-labelledby="pipeline-run-title">
      <h2 id="pipeline-run-title">Run any pipeline</h2>
      {error && <p className="problem">The pipelines could not be listed: {error}</p>}
      <form
        className="pipeline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void start(() => runFromJson(name, input));
        }}
      >
        <label htmlFor="pipeline-choice">Pipeline to run</label>
        <select id="pipeline-choice" value={name} onChange={(event) => choose(event.target.value)}>
          <option value="">Choose…</option>
          {pipelines.map((pipeline) => (
            <option key={pipeline.name} value={pipeline.name}>
              {pipeline.name}
            </option>
          ))}
        </select>
        {chosen && <PipelineDetails pipeline={chosen} />}
        <label htmlFor="pipeline-input">Input (JSON)</label>
        <textarea id="pipeline-input" rows={6} spellCheck={false} value={input} disabled={!chosen} onChange={(event) => setInput(event.target.value)} />
        <div className="actions">
          <button type="submit" disabled={busy || !chosen}>
            {chosen ? `Run ${chosen.name}` : 'Run'}
          </button>
        </div>
      </form>
      <StartStatus busy={busy} problem={problem} />
    </section>
  );
}

/** What a pipeline does, its tools in order, the fields of its input and its data-* events. */
function PipelineDetails({ pipeline }: { pipeline: PipelineInfo }) {
  const fields = inputFields(pipeline.input_schema);
  const events = Object.keys(pipeline.events);
  return (
    <div className="pipeline-details" data-testid="pipeline-details">
      {pipeline.description && <p className="muted">{pipeline.description}</p>}
      <p>
        Tools: <code>{pipeline.tools.join(' → ')}</code>
        {events.length > 0 && (
          <>
            {' · '}events: <code>{events.join(', ')}</code>
          </>
        )}
      </p>
      {fields.length > 0 && (
        <table className="input-fields" data-testid="input-fields">
          <thead>
            <tr>
              <th>Input field</th>
              <th>Type</th>
              <th>Notes</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((field) => (
              <tr key={field.name}>
                <td>
                  <code>{field.name}</code>
                  {field.required ? ' *' : ''}
                </td>
                <td>{field.type}</td>
                <td>{[field.required ? 'required' : 'optional', field.note].filter(Boolean).join(' · ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <details>
        <summary>Input JSON Schema</summary>
        <pre className="event-json" data-testid="input-schema">
          {JSON.stringify(pipeline.input_schema, null, 2)}
        </pre>
      </details>
    </div>
  );
}
