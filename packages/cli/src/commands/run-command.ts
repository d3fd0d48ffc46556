import { randomBytes } from 'node:crypto';
import { createClient } from '@unfold/client/node';
import { readDataDirOwner } from '@unfold/engine';
import { createUnfoldServer, loadConfig, type UnfoldConfig, type UnfoldServer } from '@unfold/gateway';
import { UnfoldError, isTerminalEventType, type UnfoldEvent } from '@unfold/protocol';
import { ProgressView } from './progress-view.js';
import { readRunInput } from './read-input.js';

export interface RunOptions {
  server?: string;
  runId?: string;
  json?: boolean;
  pipelines?: string[];
}

const EXIT_CODES = { processing_completed: 0, processing_failed: 1, processing_cancelled: 130 } as const;

/**
 * Runs a pipeline through the real client and server: the given server, the server that
 * owns the data directory, or one started in this process on an ephemeral port.
 */
export async function runCommand(pipeline: string, file: string | undefined, options: RunOptions): Promise<void> {
  const input = await readRunInput(pipeline, file);
  let embedded: UnfoldServer | undefined;
  let baseUrl = options.server ?? process.env['UNFOLD_URL'];
  // A server with keys needs one: UNFOLD_API_KEY (the embedded server gets a key of its own below).
  let apiKey = process.env['UNFOLD_API_KEY'] || undefined;
  if (baseUrl === undefined) {
    const place = await placeRun(
      loadConfig(process.env, { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn', ...(options.pipelines?.length ? { UNFOLD_PIPELINES: options.pipelines } : {}) }),
    );
    if ('url' in place) baseUrl = place.url;
    else {
      // The embedded server lives for this run and answers this process alone: a random key
      // it is configured with lets its client in even where the data directory holds keys.
      const ownKey = randomBytes(32).toString('base64url');
      embedded = await startEmbedded({ ...place.config, UNFOLD_API_KEYS: [...place.config.UNFOLD_API_KEYS, ownKey] });
      baseUrl = await embedded.listen(0, '127.0.0.1');
      apiKey = ownKey;
    }
  }
  const interactive = process.stdout.isTTY && !options.json;
  const view = interactive ? new ProgressView() : undefined;
  const client = createClient({ baseUrl, ...(apiKey ? { apiKey } : {}) });
  let terminal: UnfoldEvent | undefined;
  try {
    const stream = client.runAndWatch({ pipeline, input, ...(options.runId ? { run_id: options.runId } : {}) });
    const cancel = (): void => void client.cancelRun(stream.runId).catch(() => undefined);
    process.once('SIGINT', cancel);
    for await (const event of stream) {
      if (view) view.handle(event);
      else process.stdout.write(`${JSON.stringify(event)}\n`);
      if (isTerminalEventType(event.event_type)) terminal = event;
    }
    process.off('SIGINT', cancel);
  } finally {
    view?.stop();
    await embedded?.close();
  }
  if (!terminal) throw new Error('the stream ended without a terminal event');
  process.exitCode = EXIT_CODES[terminal.event_type as keyof typeof EXIT_CODES];
  if (!view) return;
  if (terminal.event_type === 'processing_completed') process.stdout.write(`${JSON.stringify(terminal.result, null, 2)}\n`);
  else process.stderr.write(`run ${terminal.run_id}: ${terminal.event_type === 'processing_failed' ? `failed (${terminal.code}): ${terminal.error}` : 'cancelled'}\n`);
}

/**
 * Where a run without `--server` goes. A live `unfold serve` owning the data directory
 * takes it: the run is stored in the history that server shows, and only one process ever
 * writes the SQLite file (a second writer would end the server's running runs as
 * interrupted and collide on their seqs). An owner not serving yet (still starting) keeps
 * its file too: the embedded server then keeps this run in memory only.
 */
async function placeRun(config: UnfoldConfig): Promise<{ url: string } | { config: UnfoldConfig }> {
  const owner = config.UNFOLD_STORE === 'sqlite' ? await readDataDirOwner(config.UNFOLD_DATA_DIR) : undefined;
  if (!owner) return { config };
  if (owner.url) {
    process.stderr.write(`unfold: ${config.UNFOLD_DATA_DIR} is served by process ${owner.pid}; running on ${owner.url}\n`);
    return { url: owner.url };
  }
  process.stderr.write(`unfold: ${config.UNFOLD_DATA_DIR} is in use by process ${owner.pid}; this run is kept in memory only\n`);
  return { config: { ...config, UNFOLD_STORE: 'memory' } };
}

async function startEmbedded(config: UnfoldConfig): Promise<UnfoldServer> {
  // Standard output carries the events; the embedded server's log goes to standard error.
  // It ends with this run: it does not advertise itself to other `unfold run`s.
  const options = { logStream: process.stderr, advertise: false };
  try {
    return await createUnfoldServer({ config, ...options });
  } catch (error) {
    if (!UnfoldError.isInstance(error) || error.code !== 'data_dir_in_use') throw error;
    // Another process took the directory between placeRun's look and this server's lock.
    process.stderr.write(`unfold: ${error.message}; this run is kept in memory only\n`);
    return createUnfoldServer({ config: { ...config, UNFOLD_STORE: 'memory' }, ...options });
  }
}
