import { DEFAULT_TENANT } from './api-key-store.js';

/**
 * Run ids are chosen by callers and scoped to their tenant (docs/protocol.md, "Tenants"):
 * two tenants may both have a run `invoice-7`, and neither can learn that the other does.
 * The store keys a run by tenant and id together, in one string, so the log, its listeners
 * and every follower are per tenant without knowing tenants exist.
 *
 * The default tenant's key is the run id itself, so a data directory written before there
 * were tenants reads unchanged. Any other tenant's key is `tenant/id`: neither a tenant nor
 * a run id may contain `/`, so no key of one tenant can be spelled by another.
 */
const SEPARATOR = '/';

export function runKey(tenant: string, runId: string): string {
  return tenant === DEFAULT_TENANT ? runId : `${tenant}${SEPARATOR}${runId}`;
}

/** The run id its tenant knows the run by: what every event, resource and frame carries. */
export function publicRunId(key: string): string {
  return key.slice(key.indexOf(SEPARATOR) + 1);
}

/** The tenant a run key belongs to: for what knows a run only by its key (a tool's `context.runId`). */
export function tenantOfRunKey(key: string): string {
  const end = key.indexOf(SEPARATOR);
  return end === -1 ? DEFAULT_TENANT : key.slice(0, end);
}
