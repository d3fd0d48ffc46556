import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built CLI: `npm test` builds before it runs the tests, as a user builds before `unfold serve`. */
const CLI_MAIN = fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url));

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
  /** Resident memory of the server process, in bytes, read from /proc. */
  rss(): Promise<number>;
}

/**
 * `unfold serve --port 0` in a child process, exactly as a user starts it: the port the
 * kernel picked is read from Fastify's "Server listening at" log line. The data directory
 * is fresh unless one is given (a restart on the same data).
 */
export async function spawnServer(env: Record<string, string> = {}, options: { dataDir?: string } = {}): Promise<ServerProcess> {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'unfold-faults-')));
  const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    // Info level at least: the listening line carries the port.
    env: { ...process.env, ...env, LOG_LEVEL: 'info', UNFOLD_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line);
      const listening = /"msg":"Server listening at (http:\/\/[^"]+)"/.exec(line);
      if (listening?.[1]) resolve(listening[1]);
    });
    createInterface({ input: child.stderr }).on('line', (line) => logs.push(line));
    void exited.then(({ code, signal }) => reject(new Error(`unfold serve exited (${code ?? signal}) before listening:\n${logs.join('\n')}`)));
  });
  const pid = child.pid ?? 0;
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    dataDir,
    pid,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    exited,
    logs,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async rss() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kilobytes = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      if (!kilobytes) throw new Error(`no VmRSS for process ${pid}`);
      return Number(kilobytes) * 1024;
    },
  };
}
