import { spawn } from 'node:child_process';
import { UNFOLD_BIN } from './faults/spawn-server.js';

export interface ProcessOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A Node script run once in a child process (in `cwd`, when given): its exit code and both outputs. */
export function runNode(script: string, args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The built CLI run once, as a user runs it beside a server or in their project (`cwd`). */
export function runUnfold(args: string[], env: Record<string, string>, cwd?: string): Promise<ProcessOutcome> {
  return runNode(UNFOLD_BIN, args, cwd ? { env, cwd } : { env });
}
