import type { PipelineInfo } from '@unfold/protocol';
import { useEffect, useState } from 'react';
import { useClient } from '../client-context.js';
import { errorText } from '../error-text.js';

/** The pipelines the server runs, the user's own included, read once per page. */
export function usePipelines(): { pipelines: PipelineInfo[]; error: string | undefined } {
  const client = useClient();
  const [pipelines, setPipelines] = useState<PipelineInfo[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let current = true;
    client.listPipelines().then(
      (list) => current && setPipelines(list.pipelines),
      (caught: unknown) => current && setError(errorText(caught)),
    );
    return () => {
      current = false;
    };
  }, [client]);
  return { pipelines, error };
}
