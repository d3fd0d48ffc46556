import { useState, type DragEvent } from 'react';
import { runFromEmailText, runFromFile } from './run-input.js';
import { StartStatus } from './start-status.js';
import { useStartRun } from './use-start-run.js';

/** Drop or pick a receipt or an email, paste an email, or start the demo; the page moves to the run once accepted. */
export function NewRunPanel() {
  const { busy, problem, start } = useStartRun();
  const [dragging, setDragging] = useState(false);
  const [email, setEmail] = useState('');

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void start(() => runFromFile(file));
  };

  return (
    <section className="panel new-run" aria-labelledby="new-run-title">
      <h2 id="new-run-title">New run</h2>
      <label
        className={`drop-zone${dragging ? ' dragging' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <span>Drop a receipt photo, an OCR-words JSON or an email (.eml, .txt) here, or choose a file</span>
        <input
          type="file"
          data-testid="file-input"
          accept="image/jpeg,image/png,.json,application/json,.eml,message/rfc822,.txt,text/plain"
          disabled={busy}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void start(() => runFromFile(file));
          }}
        />
      </label>
      <form
        className="paste-email"
        onSubmit={(event) => {
          event.preventDefault();
          void start(() => runFromEmailText(email));
        }}
      >
        <label htmlFor="email-text">…or paste an email</label>
        <textarea id="email-text" rows={4} value={email} onChange={(event) => setEmail(event.target.value)} placeholder="From: Dana Whitfield <dana@example.com>&#10;Subject: …&#10;&#10;Hi, …" />
        <div className="actions">
          <button type="submit" disabled={busy || email.trim() === ''}>
            Extract this email
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => void start(() => ({ pipeline: 'demo', input: {} }))}>
            Start a demo run
          </button>
        </div>
      </form>
      <StartStatus busy={busy} problem={problem} />
    </section>
  );
}
