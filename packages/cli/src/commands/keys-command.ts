import { openSqliteApiKeys, type ApiKeyRecord } from '@unfold/engine';
import { loadConfig } from '@unfold/gateway';
import { UnfoldError } from '@unfold/protocol';

/**
 * The keys table of the data directory's SQLite file, on a connection of this process.
 * It does not take the data directory's lock: that lock keeps a second *server* off the
 * runs (their seqs and recovery), and `unfold keys` touches no run, only single-row writes
 * to the keys table, which SQLite's own WAL locking serialises with a running server's
 * writes. A running server notices the commit within a second (it polls `PRAGMA data_version`).
 */
function withKeyStore<T>(work: (keys: ReturnType<typeof openSqliteApiKeys>, sqlitePath: string) => Promise<T>): Promise<T> {
  const config = loadConfig();
  if (config.UNFOLD_STORE !== 'sqlite') {
    throw new UnfoldError('validation_failed', 'API keys are kept in the SQLite store; with UNFOLD_STORE=memory a server knows only the keys in UNFOLD_API_KEYS');
  }
  const keys = openSqliteApiKeys(config.sqlitePath);
  return work(keys, config.sqlitePath).finally(() => keys.close());
}

export interface KeysCreateOptions {
  tenant: string;
  label?: string;
}

/** Prints the new key, and only it, on standard output: `KEY=$(unfold keys create --tenant acme)` works. */
export async function keysCreateCommand(options: KeysCreateOptions): Promise<void> {
  await withKeyStore(async (keys, sqlitePath) => {
    const { key, record } = await keys.create({ tenant: options.tenant, label: options.label });
    process.stdout.write(`${key}\n`);
    process.stderr.write(`Created ${record.key_id} for tenant "${record.tenant}" in ${sqlitePath}. The key is shown this once; it is stored only as a digest.\n`);
  });
}

const COLUMNS: Array<[string, (key: ApiKeyRecord) => string]> = [
  ['ID', (key) => key.key_id],
  ['TENANT', (key) => key.tenant],
  ['LABEL', (key) => key.label ?? '-'],
  ['CREATED', (key) => key.created_at],
  ['LAST USED', (key) => key.last_used_at ?? 'never'],
  ['REVOKED', (key) => key.revoked_at ?? '-'],
];

/** Every key (revoked ones too, so an id in an audit line can be traced), as a table or JSON; never a key itself. */
export async function keysListCommand(options: { json?: boolean }): Promise<void> {
  await withKeyStore(async (keys) => {
    const records = await keys.list();
    if (options.json) return void process.stdout.write(`${JSON.stringify(records)}\n`);
    const rows = [COLUMNS.map(([title]) => title), ...records.map((record) => COLUMNS.map(([, cell]) => cell(record)))];
    const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
    process.stdout.write(rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n') + '\n');
    const configured = loadConfig().UNFOLD_API_KEYS.length;
    if (configured > 0) process.stderr.write(`(and ${configured} key(s) configured in UNFOLD_API_KEYS, tenant "default", ids env_1…; not stored here)\n`);
  });
}

export async function keysRevokeCommand(keyId: string): Promise<void> {
  await withKeyStore(async (keys) => {
    const revokedAt = new Date();
    const record = await keys.revoke(keyId, revokedAt);
    if (!record) throw new UnfoldError('key_not_found', `no key with id "${keyId}" (see unfold keys list)`);
    const already = record.revoked_at !== revokedAt.toISOString();
    process.stderr.write(
      already
        ? `${record.key_id} (tenant "${record.tenant}") was already revoked at ${record.revoked_at}.\n`
        : `Revoked ${record.key_id} (tenant "${record.tenant}"): a running server refuses it, and closes its connections, within a second.\n`,
    );
  });
}
