import type { ConnectionState } from '@unfold/client';

/** Where the connection is, as a person needs it: which transport, live, reconnecting, resumed. */
export function ConnectionBadge({ connection }: { connection: ConnectionState }) {
  let text: string;
  switch (connection.status) {
    case 'connecting':
      text = 'connecting…';
      break;
    case 'live':
      text = `live over ${connection.transport}${connection.resumed ? ' · resumed' : ''}`;
      break;
    case 'reconnecting':
      text = `reconnecting${connection.transport ? ` (${connection.transport})` : ''} in ${(connection.delayMs / 1000).toFixed(1)} s · attempt ${connection.attempt}`;
      break;
    case 'closed':
      text = connection.reason === 'completed' ? 'run finished · connection closed' : connection.reason === 'failed' ? `disconnected: ${connection.error?.message ?? 'failed'}` : 'disconnected';
      break;
  }
  return (
    <span className={`connection connection-${connection.status}`} data-testid="connection" role="status">
      {text}
    </span>
  );
}
