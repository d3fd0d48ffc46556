import { createClient } from '@unfold/client/node';
import { createUnfoldServer, loadConfig, type UnfoldServer } from '@unfold/gateway';
import { isTerminalEventType, type UnfoldEvent } from '@unfold/protocol';
import { ProgressView } from './progress-view.js';
import { readRunInput } from './read-input.js';

export interface RunOptions {
  server?: string;
  runId?: string;
  json?: boolean;
}

const EXIT_CODES = { processing_completed: 0, processing_failed: 1, processing_cancelled: 130 } as const;

/**
 * Runs a pipeline through the real client and server: the given server, or one started
 * in this process on an ephemeral port with the configured store.
 */
export async function runCommand(pipeline: string, file: string | undefined, options: RunOptions): Promise<void> {
  const input = await readRunInput(pipeline, file);
  let embedded: UnfoldServer | undefined;
  let baseUrl = options.server ?? process.env['UNFOLD_URL'];
  if (baseUrl === undefined) {
    // Standard output carries the events; the embedded server's log goes to standard error.
    embedded = await createUnfoldServer({ config: loadConfig(process.env, { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' }), logStream: process.stderr });
    baseUrl = await embedded.listen(0, '127.0.0.1');
  }
  const interactive = process.stdout.isTTY && !options.json;
  const view = interactive ? new ProgressView() : undefined;
  const client = createClient({ baseUrl });
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
