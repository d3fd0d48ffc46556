import type { ConnectionState } from '@unfold/client';
import { useEffect, useRef, useState } from 'react';

/** How long the server may be unreachable before the page says so: a blip is not news. */
export const OUTAGE_QUIET_MS = 3_000;
/** How long "the server is back" stays up once it is. */
export const RECOVERED_SHOWN_MS = 10_000;

/** What the page says about the server: nothing, it is not answering, the client gave up, or it is back. */
export type OutagePhase = 'none' | 'down' | 'given-up' | 'back';

/**
 * The server's reachability as the run's connection shows it. The client reconnects on
 * its own, with backoff, and each attempt is a new state; an outage is the time from the
 * first attempt that failed to the next live connection, said only once it has lasted
 * OUTAGE_QUIET_MS.
 */
export function useServerOutage(connection: ConnectionState): OutagePhase {
  const [phase, setPhase] = useState<OutagePhase>('none');
  const downSince = useRef<number | undefined>(undefined);

  useEffect(() => {
    if (connection.status === 'live') {
      downSince.current = undefined;
      setPhase((current) => (current === 'down' || current === 'given-up' ? 'back' : current));
      return;
    }
    if (connection.status === 'closed') {
      downSince.current = undefined;
      // A run that ended while the server came back may go from reconnecting to its end
      // within one render: reaching the end is being back too.
      if (connection.reason === 'failed') setPhase('given-up');
      else if (connection.reason === 'completed') setPhase((current) => (current === 'down' ? 'back' : current));
      return;
    }
    if (connection.status !== 'reconnecting') return;
    downSince.current ??= Date.now();
    const timer = setTimeout(() => setPhase((current) => (current === 'given-up' ? current : 'down')), Math.max(0, downSince.current + OUTAGE_QUIET_MS - Date.now()));
    return () => clearTimeout(timer);
  }, [connection]);

  useEffect(() => {
    if (phase !== 'back') return;
    const timer = setTimeout(() => setPhase('none'), RECOVERED_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [phase]);

  return phase;
}
