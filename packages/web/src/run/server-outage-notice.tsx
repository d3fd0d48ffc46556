import type { ConnectionState } from '@unfold/client';
import { useServerOutage, type OutagePhase } from './use-server-outage.js';

const TEXT: Record<OutagePhase, string> = {
  none: '',
  down: 'The server is not answering — retrying… Nothing is lost: the run picks up where it left off once the server is back.',
  'given-up': 'The server is not answering, and this page has stopped retrying. Reload the page to try again.',
  back: 'The server is back — the run resumed where it left off.',
};

/**
 * Says plainly when the server has gone and when it is back. The live region is always
 * in the page, empty when there is nothing to say, so a screen reader announces each change.
 */
export function ServerOutageNotice({ connection }: { connection: ConnectionState }) {
  const phase = useServerOutage(connection);
  return (
    <p className={phase === 'none' ? 'outage-none' : `notice outage outage-${phase}`} role="status" aria-live="polite" data-testid="server-outage" data-phase={phase}>
      {TEXT[phase]}
    </p>
  );
}
