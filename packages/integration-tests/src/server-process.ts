import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm run build`), run as a user runs it. */
export const UNFOLD_BIN = fileURLToPath(new URL('../../cli/bin/unfold.js', import.meta.url));

export interface ServerProcess {
  url: string;
  pid: number;
  /** Sends a signal (default SIGTERM); `exited` tells how the process ended. */
  kill(signal?: NodeJS.Signals): void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stdout and stderr so far (its JSON log), for assertions and failures. */
  output(): string;
}

/**
 * `unfold serve` in its own process on an ephemeral port, on `dataDir`: for faults a test
 * cannot inject into its own process (kill -9, a second process on the same directory).
 * Resolves once it listens; rejects with its output when it exits first.
 */
export function startServerProcess(options: { dataDir: string; env?: Record<string, string> }): Promise<ServerProcess> {
  const child = spawn(process.execPath, [UNFOLD_BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    env: { ...process.env, LOG_LEVEL: 'info', UNFOLD_SHUTDOWN_GRACE_S: '0', ...options.env, UNFOLD_DATA_DIR: options.dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise<ServerProcess>((resolve, reject) => {
    const onOutput = (chunk: Buffer): void => {
      output += chunk.toString();
      // Fastify's own log line, at info level.
      const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (!url) return;
      child.stdout.off('data', onOutput);
      child.stdout.on('data', (more: Buffer) => (output += more.toString()));
      resolve({ url, pid: child.pid ?? 0, kill: (signal = 'SIGTERM') => void child.kill(signal), exited, output: () => output });
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(({ code, signal }) => reject(new Error(`unfold serve exited (${code ?? signal}) before listening:\n${output}`)));
  });
}
