import { createClient } from '@unfold/client';
import { UnfoldError } from '@unfold/protocol';
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { ClientProvider } from './client-context.js';

/** Kept for the browser tab's session only: closing the tab forgets it. */
const STORAGE_KEY = 'unfold.api-key';

const storedKey = (): string | undefined => sessionStorage.getItem(STORAGE_KEY) ?? undefined;

/** Whether an answer says the server wants a key this page does not have (or no longer has). */
function needsKey(error: unknown): boolean {
  return UnfoldError.isInstance(error) && (error.code === 'unauthorized' || error.code === 'key_revoked');
}

type Access = { status: 'checking' } | { status: 'in' } | { status: 'needs-key'; refused: boolean };

/**
 * The app's client, with the API key the server asks for. A server that serves this page
 * without a key (`unfold serve` on one's own machine) lets it straight in; one that wants a
 * key gets a form, and the key is kept for this tab's session.
 */
export function KeyGate({ children }: { children: ReactNode }) {
  const [apiKey, setApiKey] = useState(storedKey);
  const client = useMemo(() => createClient({ baseUrl: window.location.origin, ...(apiKey ? { apiKey } : {}) }), [apiKey]);
  const [access, setAccess] = useState<Access>({ status: 'checking' });

  useEffect(() => {
    let current = true;
    setAccess({ status: 'checking' });
    // Any other failure (the server is down) is the pages' to tell, as without keys.
    client.listRuns({ limit: 1 }).then(
      () => current && setAccess({ status: 'in' }),
      (error: unknown) => current && setAccess(needsKey(error) ? { status: 'needs-key', refused: apiKey !== undefined } : { status: 'in' }),
    );
    return () => {
      current = false;
    };
  }, [client, apiKey]);

  if (access.status === 'checking') return <p className="page muted">Connecting…</p>;
  if (access.status === 'needs-key') {
    return (
      <main className="page">
        <KeyForm
          refused={access.refused}
          onKey={(key) => {
            sessionStorage.setItem(STORAGE_KEY, key);
            setApiKey(key);
          }}
        />
      </main>
    );
  }
  return <ClientProvider client={client}>{children}</ClientProvider>;
}

function KeyForm({ refused, onKey }: { refused: boolean; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim() !== '') onKey(key.trim());
  };
  return (
    <section className="panel key-form" aria-labelledby="key-title">
      <h2 id="key-title">This server needs an API key</h2>
      {refused && <p role="alert">The server refused that key (wrong, or revoked). Enter another.</p>}
      <p className="muted">
        Ask whoever runs it for one (<code>unfold keys create --tenant &lt;name&gt;</code>). It is kept for this tab only, and you see your tenant&apos;s runs.
      </p>
      <form onSubmit={submit}>
        <label>
          API key
          <input type="password" autoComplete="off" value={key} onChange={(event) => setKey(event.target.value)} placeholder="ufk_…" />
        </label>
        <button type="submit" disabled={key.trim() === ''}>
          Use this key
        </button>
      </form>
    </section>
  );
}
