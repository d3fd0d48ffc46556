import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm run build`), run as a user runs it. */
export const UNFOLD_BIN = fileURLToPath(new URL('../../../cli/bin/unfold.js', import.meta.url));

/** Built entries: `npm test` builds before it runs the tests, as a user builds before `unfold serve`. */
const ENTRIES = {
  /** `unfold serve` itself. */
  cli: { path: UNFOLD_BIN, args: ['serve', '--port', '0', '--host', '127.0.0.1'], collects: false },
  /** The same server plus the firehose test pipeline; it reports its memory when asked. */
  firehose: { path: fileURLToPath(new URL('../../dist/faults/firehose-serve.js', import.meta.url)), args: [], collects: true },
};

export interface ServerMemory {
  /** Resident set size: what the process has from the OS, freed pages it keeps included. */
  rss: number;
  /** JavaScript heap in use plus external memory (socket and other Buffers): what the server holds. */
  held: number;
}

export interface ServerProcess {
  url: string;
  wsUrl: string;
  dataDir: string;
  pid: number;
  /** False once the process has exited. */
  readonly running: boolean;
  /** Settles when the process exits, with its exit code (null when a signal ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every log line the server wrote so far (pino JSON), for diagnosing a failure. */
  logs: string[];
  /** Sends a signal (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The server's memory after a full garbage collection (the firehose entry only). */
  memory(): Promise<ServerMemory>;
  /** Kills the process if it still runs and deletes the data directory. */
  cleanup(): Promise<void>;
}

/**
 * `unfold serve --port 0` in a child process, exactly as a user starts it (or the same
 * server with the firehose pipeline, `entry: 'firehose'`): the port the
 * kernel picked is read from Fastify's "Server listening at" log line. The data directory
 * is fresh unless one is given (a restart on the same data).
 */
export async function spawnServer(
  env: Record<string, string> = {},
  options: { dataDir?: string; entry?: keyof typeof ENTRIES; command?: 'serve' | 'dev'; args?: string[]; cwd?: string } = {},
): Promise<ServerProcess> {
  const chosen = ENTRIES[options.entry ?? 'cli'];
  // `unfold dev` takes the options `unfold serve` does; `args` adds to them (--pipelines …).
  const entry = { ...chosen, args: [...(options.command === 'dev' ? ['dev', ...chosen.args.slice(1)] : chosen.args), ...(options.args ?? [])] };
  if (!existsSync(entry.path)) throw new Error(`${entry.path} is missing: run \`npm run build\` first`);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'unfold-faults-')));
  const child = spawn(process.execPath, [...(entry.collects ? ['--expose-gc'] : []), entry.path, ...entry.args], {
    // Info level at least: the listening line carries the port.
    // No shutdown grace unless a test asks for one: a stop ends running runs at once.
    env: { ...process.env, UNFOLD_SHUTDOWN_GRACE_S: '0', ...env, LOG_LEVEL: 'info', UNFOLD_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const { stdout, stderr } = child;
  if (!stdout || !stderr) throw new Error('the server process has no output pipes');
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: stdout }).on('line', (line) => {
      logs.push(line);
      const listening = /"msg":"Server listening at (http:\/\/[^"]+)"/.exec(line);
      if (listening?.[1]) resolve(listening[1]);
    });
    createInterface({ input: stderr }).on('line', (line) => logs.push(line));
    void exited.then(({ code, signal }) => reject(new Error(`unfold serve exited (${code ?? signal}) before listening:\n${logs.join('\n')}`)));
  });
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    dataDir,
    pid: child.pid ?? 0,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    exited,
    logs,
    stop,
    async cleanup() {
      await stop('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    },
    async memory() {
      if (!entry.collects) throw new Error('only the firehose entry reports its memory');
      const reply = new Promise<NodeJS.MemoryUsage>((resolve) => child.once('message', (usage) => resolve(usage as NodeJS.MemoryUsage)));
      child.send('memory');
      const usage = await reply;
      return { rss: usage.rss, held: usage.heapUsed + usage.external };
    },
  };
}
