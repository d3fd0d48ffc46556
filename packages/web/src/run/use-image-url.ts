import { useEffect, useState } from 'react';
import { useClient } from '../client-context.js';

/**
 * The URL of a run's receipt image for an <img>, which cannot send the API key: it carries a
 * stream token for that run (negotiated with the key, or as the local user), so the image is
 * as private as the run. Undefined until the token is there.
 */
export function useImageUrl(runId: string): string | undefined {
  const client = useClient();
  const [url, setUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    let current = true;
    setUrl(undefined);
    const plain = `/v1/runs/${encodeURIComponent(runId)}/image`;
    client.negotiate([runId]).then(
      ({ token }) => current && setUrl(`${plain}?access_token=${encodeURIComponent(token)}`),
      // Without a token the image may still be served (a server without keys); if not, the <img> says so.
      () => current && setUrl(plain),
    );
    return () => {
      current = false;
    };
  }, [client, runId]);
  return url;
}
