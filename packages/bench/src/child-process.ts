import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { profileTime } from './profile-share.js';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Child {
  url: string;
  pid: number;
  /** Resident memory, and JS heap + external memory, after a forced garbage collection, in bytes. */
  memory(): Promise<{ rss: number; heap: number }>;
  send(message: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Resolves, saying how, if the process ends before `stop` is called. */
  readonly exitedEarly: Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts a server in its own process (its own core, its own heap), so the clients the
 * benchmark runs here do not share its event loop and its memory can be measured alone.
 */
export async function startChild(
  module: string,
  env: Record<string, string>,
  options: {
    onLogLine?: (line: string) => void;
    /** With `BENCH_CPU_PROF` set, profile the whole life of the process (the default), or leave it to `profile-start`/`profile-stop`. */
    lifetimeProfile?: boolean;
  } = {},
): Promise<Child> {
  const lifetimeProfile = Boolean(process.env['BENCH_CPU_PROF']) && options.lifetimeProfile !== false;
  const child: ChildProcess = fork(fileURLToPath(new URL(module, import.meta.url)), [], {
    env: { ...process.env, ...env },
    execArgv: ['--expose-gc', ...(lifetimeProfile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])],
    // The child's stdout goes to stderr: `--json` keeps stdout for the report alone.
    stdio: ['ignore', options.onLogLine ? 'pipe' : 2, options.onLogLine ? 'pipe' : 2, 'ipc'],
  });
  const { onLogLine } = options;
  if (onLogLine) {
    for (const output of [child.stdout, child.stderr]) {
      if (!output) continue;
      output.pipe(process.stderr);
      createInterface({ input: output }).on('line', onLogLine);
    }
  }
  let nextId = 0;
  const pending = new Map<number, (reply: Record<string, unknown>) => void>();
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${module} exited with ${code}`)));
    child.on('message', (message: Record<string, unknown>) => {
      if (typeof message['url'] === 'string') resolve(message['url']);
      const id = message['id'];
      if (typeof id === 'number') {
        pending.get(id)?.(message);
        pending.delete(id);
      }
    });
  });
  const send = (message: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ ...message, id });
    });
  let stopping = false;
  const exitedEarly = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => stopping || resolve(signal ? `killed by ${signal}` : `exited with code ${code}`));
  });
  return {
    url,
    pid: child.pid ?? 0,
    send,
    exitedEarly,
    memory: async () => {
      const reply = await send({ type: 'rss' });
      return { rss: reply['rss'] as number, heap: reply['heap'] as number };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Where CPU profiles go, whole-life ones (`--cpu-prof`) and windows alike. */
export const PROFILE_DIR = '/tmp/prof';

/**
 * A CPU profile of part of a child's life (a benchmark's measured rounds, not its start-up
 * and warm-up), through the inspector: `profile-start`, then `profile-stop`, which answers
 * the profile's split by part of the server and, with `BENCH_CPU_PROF` set, writes it to
 * `PROFILE_DIR/<name>.cpuprofile`.
 */
function profileWindows(): Record<string, (message: Record<string, unknown>) => Promise<Record<string, unknown>>> {
  // Connected only when asked: a process never profiled keeps no inspector session.
  const session = new Session();
  return {
    'profile-start': async () => {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      return {};
    },
    'profile-stop': async (message) => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      if (process.env['BENCH_CPU_PROF']) {
        await mkdir(PROFILE_DIR, { recursive: true });
        await writeFile(join(PROFILE_DIR, `${String(message['name'])}.cpuprofile`), JSON.stringify(profile));
      }
      return { ...profileTime(profile) };
    },
  };
}

/** For child processes: answers `rss` requests after collecting garbage, and profile windows. */
export function answerParent(handlers: Record<string, (message: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>> = {}): void {
  const profiling = profileWindows();
  process.on('message', (message: Record<string, unknown>) => {
    void (async () => {
      const type = String(message['type']);
      let reply: Record<string, unknown>;
      if (type === 'rss') {
        const gc = (globalThis as { gc?: () => void }).gc;
        for (let round = 0; round < 3; round++) gc?.();
        await new Promise((resolve) => setTimeout(resolve, 100));
        const usage = process.memoryUsage();
        reply = { rss: usage.rss, heap: usage.heapUsed + usage.external + usage.arrayBuffers };
      } else {
        reply = (await (handlers[type] ?? profiling[type])?.(message)) ?? {};
      }
      process.send?.({ ...reply, id: message['id'] });
    })();
  });
}
