import { createHash, randomBytes } from 'node:crypto';
import { UnfoldError } from '@unfold/protocol';
import { z } from 'zod';

/**
 * The tenant of runs and keys that name none: the local user (loopback with no keys, or
 * UNFOLD_AUTH=none), the keys of UNFOLD_API_KEYS, and runs stored before runs had a tenant.
 */
export const DEFAULT_TENANT = 'default';

/** What a key looks like: a recognisable prefix (so a leaked one is easy to spot and grep for) and 32 random bytes. */
export const API_KEY_PREFIX = 'ufk_';

/** One API key as stored: never the key itself, only its SHA-256 (see `hashApiKey`). */
export interface ApiKeyRecord {
  key_id: string;
  tenant: string;
  label: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** An active key as the gateway's cache holds it: the record and the digest a presented key is looked up by. */
export interface ActiveApiKey extends ApiKeyRecord {
  key_hash: string;
}

export interface NewApiKeyRequest {
  tenant: string;
  label?: string | undefined;
}

/**
 * API keys, each bound to a tenant. The key is returned once by `create` and never stored:
 * a stolen database yields digests, and a digest does not authenticate.
 */
export interface ApiKeyStore {
  /** Creates a key; the returned `key` is the only copy there will ever be. */
  create(request: NewApiKeyRequest): Promise<{ key: string; record: ApiKeyRecord }>;
  /** Every key, revoked ones included, oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  /** Keys not revoked, with their digests. */
  active(): Promise<ActiveApiKey[]>;
  /** Revokes a key (a second revoke keeps the first time); undefined when there is no such key. */
  revoke(keyId: string, now?: Date): Promise<ApiKeyRecord | undefined>;
  /** Records that the key was used (the gateway calls this sparingly, not on every request). */
  touch(keyId: string, now?: Date): Promise<void>;
  /**
   * A value that changes whenever keys may have changed, through this store or, for SQLite,
   * through another process's connection to the same file: cheap enough to poll.
   */
  changeMark(): string;
}

/** Tenant names: short, printable, safe in a log line and a URL. */
export const tenantSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a tenant is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');
const labelSchema = z
  .string()
  .max(200, 'a label is at most 200 characters')
  // Control characters would let a label forge lines in `unfold keys list` or a log.
  .regex(/^[^\p{Cc}]*$/u, 'a label has no control characters');

/** The request, validated: an invalid tenant or label is `validation_failed`, naming the rule. */
export function parseNewApiKey(request: NewApiKeyRequest): { tenant: string; label: string | null } {
  const tenant = tenantSchema.safeParse(request.tenant);
  // Stryker disable next-line StringLiteral: unreachable, a failed parse has at least one issue; the fallback only satisfies the type
  if (!tenant.success) throw new UnfoldError('validation_failed', `tenant ${JSON.stringify(request.tenant)}: ${tenant.error.issues[0]?.message ?? 'invalid'}`);
  if (request.label === undefined || request.label === '') return { tenant: tenant.data, label: null };
  const label = labelSchema.safeParse(request.label);
  // Stryker disable next-line StringLiteral: unreachable, as for the tenant above
  if (!label.success) throw new UnfoldError('validation_failed', `label: ${label.error.issues[0]?.message ?? 'invalid'}`);
  return { tenant: tenant.data, label: label.data };
}

/**
 * The digest a key is stored and looked up by. A plain SHA-256 is enough: the key has 256
 * bits of entropy, so there is nothing for a slow hash to protect against guessing.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new key and its record's id: the key is 32 random bytes, base64url, after the prefix. */
export function generateApiKey(): { key: string; key_id: string } {
  return { key: `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`, key_id: `key_${randomBytes(6).toString('hex')}` };
}
