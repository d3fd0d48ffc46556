import { UnfoldError, type CreateRunRequest } from '@unfold/protocol';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { useClient } from '../client-context.js';
import { errorText } from '../error-text.js';
import { InputError } from './run-input.js';

/** What a refused start says: the page's own reason, or the server's words and its stable code to look up. */
function problemText(error: unknown): string {
  if (error instanceof InputError) return error.message;
  return UnfoldError.isInstance(error) ? `${errorText(error)} (${error.code})` : errorText(error);
}

/** Starts a run from a request the page builds, then moves to the run; a refusal stays on the page as `problem`. */
export function useStartRun() {
  const client = useClient();
  const [, navigate] = useLocation();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);

  const start = async (make: () => Promise<CreateRunRequest> | CreateRunRequest) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const created = await client.createRun(await make());
      navigate(`/runs/${encodeURIComponent(created.run_id)}`);
    } catch (error) {
      setProblem(problemText(error));
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, start };
}
