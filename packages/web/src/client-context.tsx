import type { UnfoldClient } from '@unfold/client';
import { createContext, useContext, type ReactNode } from 'react';

const ClientContext = createContext<UnfoldClient | undefined>(undefined);

export function ClientProvider({ client, children }: { client: UnfoldClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

/** The one client the app talks to the server through. */
export function useClient(): UnfoldClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientProvider');
  return client;
}
