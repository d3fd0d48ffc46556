import { hashApiKey, type ApiKeyStore } from '@unfold/engine';
import type { FastifyBaseLogger } from 'fastify';
import { DEFAULT_TENANT } from './principal.js';

/** How often the ring asks the store whether keys changed: a revocation takes effect within this (and a reload). */
export const KEY_POLL_MS = 500;
/** `last_used_at` is written at most this often per key: a write per request would cost more than it tells. */
const TOUCH_EVERY_MS = 60_000;

interface KnownKey {
  key_id: string;
  tenant: string;
  /** Stored keys are touched; configured ones have no row. */
  stored: boolean;
}

/**
 * The gateway's cache of the keys that let a request in: the store's active keys, by digest,
 * and those configured in UNFOLD_API_KEYS (tenant `default`, ids `env_1`, `env_2`, …; they
 * are revoked by removing them from the variable and restarting). It polls the store's
 * change mark, which moves when `unfold keys` commits from another process, reloads, and
 * tells `onRevoked` which keys are gone so their open connections can be closed.
 */
export class KeyRing {
  private readonly configured = new Map<string, KnownKey>();
  private stored = new Map<string, KnownKey>();
  private activeIds = new Set<string>();
  private readonly lastTouched = new Map<string, number>();
  private mark: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;

  constructor(
    private readonly store: ApiKeyStore,
    configuredKeys: readonly string[],
    private readonly log: FastifyBaseLogger,
    private readonly on: {
      /** A key was revoked (or deleted): its connections should close. */
      revoked(keyId: string): void;
      /** The first key appeared where there was none: connections let in without one should close. */
      firstKey(): void;
    },
  ) {
    configuredKeys.forEach((key, index) => this.configured.set(hashApiKey(key), { key_id: `env_${index + 1}`, tenant: DEFAULT_TENANT, stored: false }));
    this.activeIds = this.idsOf(this.stored);
  }

  /** Loads the keys and starts watching for changes. */
  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload(), KEY_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Whether any key exists: then every guarded route needs one. */
  get hasKeys(): boolean {
    return this.configured.size > 0 || this.stored.size > 0;
  }

  /** The key a presented secret is, if it is an active one. Digests are looked up, so no comparison leaks the key's bytes. */
  find(key: string): { key_id: string; tenant: string } | undefined {
    const digest = hashApiKey(key);
    const known = this.stored.get(digest) ?? this.configured.get(digest);
    if (known?.stored) this.touch(known.key_id);
    return known && { key_id: known.key_id, tenant: known.tenant };
  }

  /** Whether a key id is still active (a stream token issued to it is only as good as the key). */
  isActive(keyId: string): boolean {
    return this.activeIds.has(keyId);
  }

  /** Reloads when the store's keys changed since the last look; one reload at a time. */
  reload(): Promise<void> {
    this.reloading ??= this.reloadIfChanged().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async reloadIfChanged(): Promise<void> {
    try {
      const mark = this.store.changeMark();
      if (mark === this.mark) return;
      const active = await this.store.active();
      const next = new Map(active.map((key) => [key.key_hash, { key_id: key.key_id, tenant: key.tenant, stored: true }]));
      const before = this.stored;
      const hadKeys = this.hasKeys;
      const initial = this.mark === undefined;
      this.stored = next;
      this.activeIds = this.idsOf(next);
      this.mark = mark;
      for (const known of before.values()) {
        if (this.activeIds.has(known.key_id)) continue;
        this.log.info({ key_id: known.key_id, tenant: known.tenant }, 'API key revoked: closing its connections');
        this.lastTouched.delete(known.key_id);
        this.on.revoked(known.key_id);
      }
      // The first reload (at start) has nothing open yet to close.
      if (!initial && !hadKeys && this.hasKeys) this.on.firstKey();
    } catch (error) {
      // The old keys stay in force: a store that cannot be read now is retried on the next poll.
      this.log.error({ err: error }, 'reloading API keys failed');
    }
  }

  private idsOf(stored: Map<string, KnownKey>): Set<string> {
    return new Set([...stored.values(), ...this.configured.values()].map((known) => known.key_id));
  }

  private touch(keyId: string): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(keyId) ?? 0) < TOUCH_EVERY_MS) return;
    this.lastTouched.set(keyId, now);
    this.store.touch(keyId, new Date(now)).catch((error: unknown) => this.log.warn({ err: error, key_id: keyId }, 'recording a key’s last use failed'));
  }
}
