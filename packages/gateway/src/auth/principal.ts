import { DEFAULT_TENANT } from '@unfold/engine';

export { DEFAULT_TENANT };

/**
 * Who a request or a connection acts for, as the principal layer decided it; routes and
 * transports ask this, never the headers. Every kind carries its tenant.
 */
export type Principal =
  /** An API key (stored, or configured in UNFOLD_API_KEYS). */
  | { kind: 'key'; tenant: string; key_id: string }
  /**
   * A stream token from `POST /v1/negotiate`: the key it was issued to (null when issued to
   * a local principal), either the tenant's runs or only the runs it names, and when it
   * expires (a WebSocket opened with it is closed then, unless refreshed).
   */
  | { kind: 'stream_token'; tenant: string; key_id: string | null; runs: 'tenant' | readonly string[]; expires_at: Date }
  /** No credential, let in by the policy: a loopback client of a server with no keys, or any client with UNFOLD_AUTH=none. */
  | { kind: 'local'; tenant: string; key_id: null };

export const LOCAL_PRINCIPAL: Principal = { kind: 'local', tenant: DEFAULT_TENANT, key_id: null };

/** Whether the principal may follow a run of its tenant (another tenant's run it cannot even name: run-key.ts). */
export function mayFollowRun(principal: Principal, runId: string): boolean {
  return principal.kind !== 'stream_token' || principal.runs === 'tenant' || principal.runs.includes(runId);
}

/** Whether the principal speaks for its whole tenant (lists runs, watches the runs feed, starts runs). */
export function actsForTenant(principal: Principal): boolean {
  return principal.kind !== 'stream_token' || principal.runs === 'tenant';
}
