import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@unfold/client/node';
import type { PipelineList } from '@unfold/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode, runUnfold, type ProcessOutcome } from './cli-process.js';
import { spawnServer, type ServerProcess } from './faults/spawn-server.js';

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const TEXT = 'Write to Ada@example.com, cc bob@example.com and ops@acme.io.';

const temporary: string[] = [];
/** A fresh folder outside the repository: no node_modules anywhere above it. */
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'unfold-starter-'));
  temporary.push(dir);
  return dir;
}
afterAll(() => Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true }))));

/** `unfold init` into a fresh folder, from that folder as a user runs it. */
async function initProject(): Promise<ProcessOutcome & { dir: string }> {
  const dir = await freshDir();
  return { dir, ...(await runUnfold(['init'], {}, dir)) };
}

describe('unfold init', () => {
  let project: Awaited<ReturnType<typeof initProject>>;
  beforeAll(async () => {
    project = await initProject();
  }, 30_000);

  it('writes the starter and prints the two commands its README opens with', async () => {
    expect(project).toMatchObject({ code: 0, stderr: '' });
    const files = (await readdir(project.dir, { recursive: true })).sort();
    expect(files).toEqual(['.gitignore', 'README.md', 'pipelines', 'pipelines/contacts.test.ts', 'pipelines/contacts.ts', 'tsconfig.json', 'unfold.config.ts']);
    expect(await readFile(join(project.dir, '.gitignore'), 'utf8')).toBe('.unfold/\n');
    const readme = (await readFile(join(project.dir, 'README.md'), 'utf8')).split('\n');
    expect(readme.slice(0, 2).map((line) => line.trim().split(/\s+#/)[0])).toEqual(['unfold dev', 'unfold test']);
    expect(project.stdout).toContain(readme[0]?.trim());
    expect(project.stdout).toContain(readme[1]?.trim());
  });

  it('writes a tsconfig.json whose paths point at the packages of this CLI, so the project type-checks with no node_modules', async () => {
    const tsconfig = JSON.parse(await readFile(join(project.dir, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
    const { paths } = tsconfig.compilerOptions;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['@unfold/engine', '@unfold/pipelines', '@unfold/protocol', 'zod']));
    for (const [name, [declarations]] of Object.entries(paths)) expect(existsSync(declarations ?? ''), `${name} → ${declarations}`).toBe(true);
    expect(paths['@unfold/engine']?.[0]).toMatch(/packages[/\\]engine[/\\]dist[/\\]index\.d\.ts$/);
    const checked = await runNode(TSC, ['-p', project.dir]);
    expect(checked).toEqual({ code: 0, stdout: '', stderr: '' });
  }, 60_000);

  it('refuses a directory that is not empty, with a message and a non-zero exit, and writes nothing there', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const refused = await runUnfold(['init', dir], {});
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${dir} is not empty`);
    expect(refused.stderr).toContain('--force');
    expect(await readdir(dir)).toEqual(['notes.txt']);

    const forced = await runUnfold(['init', dir, '--force'], {});
    expect(forced.code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['.gitignore', 'README.md', 'notes.txt', 'pipelines', 'tsconfig.json', 'unfold.config.ts']);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('unfold test', () => {
  it("passes the starter's own test, run from the project with no node_modules, and names it", async () => {
    const { dir } = await initProject();
    const { code, stdout } = await runUnfold(['test'], {}, dir);
    expect(code).toBe(0);
    expect(stdout).toContain('ok 1 - contacts finds every address, streams each as data-email, and groups them by domain');
    expect(stdout).toMatch(/# pass 2\n# fail 0\n/);
  }, 30_000);

  it('finds tests in the project but not in node_modules or .unfold, and runs only the files it is named', async () => {
    const { dir } = await initProject();
    const failing = "import { test } from 'node:test';\ntest('not the project\\'s', () => { throw new Error('ran'); });\n";
    for (const folder of ['node_modules/some-package', '.unfold']) {
      await mkdir(join(dir, folder), { recursive: true });
      await writeFile(join(dir, folder, 'index.test.ts'), failing);
    }
    await writeFile(join(dir, 'more.test.js'), "import { test } from 'node:test';\ntest('a second file', () => {});\n");
    const all = await runUnfold(['test'], {}, dir);
    expect(all).toMatchObject({ code: 0, stdout: expect.stringMatching(/# pass 3\n# fail 0\n/) });
    expect(all.stdout).toMatch(/^ok \d - a second file$/m);
    const named = await runUnfold(['test', 'more.test.js'], {}, dir);
    expect(named).toMatchObject({ code: 0, stdout: expect.stringMatching(/ok 1 - a second file\n[^]*# pass 1\n# fail 0\n/) });
  }, 30_000);

  it('exits non-zero and reports the failure when a test fails', async () => {
    const { dir } = await initProject();
    const test = join(dir, 'pipelines', 'contacts.test.ts');
    const source = await readFile(test, 'utf8');
    expect(source).toContain('{ count: 3,');
    await writeFile(test, source.replace('{ count: 3,', '{ count: 4,'));
    const { code, stdout } = await runUnfold(['test'], {}, dir);
    expect(code).not.toBe(0);
    expect(stdout).toContain('not ok 1 - contacts finds every address');
    expect(stdout).toMatch(/# pass 1\n# fail 1\n/);
  }, 30_000);

  it('exits non-zero when there is no test to run', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'contacts.ts'), 'export default 1;\n');
    const { code, stderr } = await runUnfold(['test'], {}, dir);
    expect(code).not.toBe(0);
    expect(stderr).toContain(`no test files found in ${dir}`);
  });

  it('exits non-zero naming a test file that does not load', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'broken.test.ts'), 'test(;\n');
    const { code, stderr } = await runUnfold(['test'], {}, dir);
    expect(code).not.toBe(0);
    expect(stderr).toContain(`unfold: test: cannot load ${join(dir, 'broken.test.ts')}`);
  });
});

describe('unfold serve in a project made by unfold init', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    const { dir } = await initProject();
    server = await spawnServer({}, { cwd: dir });
  }, 60_000);
  afterAll(() => server?.cleanup());

  it('finds unfold.config.ts with no flags and lists the example pipeline with its tools and custom event', async () => {
    const { pipelines } = (await (await fetch(`${server.url}/v1/pipelines`)).json()) as PipelineList;
    const contacts = pipelines.find((pipeline) => pipeline.name === 'contacts');
    expect(contacts).toMatchObject({ tools: ['find_emails', 'group_by_domain'] });
    expect(Object.keys(contacts?.events ?? {})).toEqual(['data-email']);
  });

  it('streams the custom event of a run and ends with its result', async () => {
    const stream = createClient({ baseUrl: server.url }).runAndWatch({ pipeline: 'contacts', input: { text: TEXT } });
    const emails: unknown[] = [];
    stream.on('event', (event) => {
      if (event.event_type === 'data-email') emails.push(event.data);
    });
    expect(await stream.result()).toEqual({ count: 3, domains: { 'acme.io': ['ops@acme.io'], 'example.com': ['ada@example.com', 'bob@example.com'] } });
    expect(emails).toEqual([
      { address: 'Ada@example.com', at: 9 },
      { address: 'bob@example.com', at: 29 },
      { address: 'ops@acme.io', at: 49 },
    ]);
  });
});

describe('unfold dev in a project made by unfold init', () => {
  let dir: string;
  let server: ServerProcess;
  beforeAll(async () => {
    ({ dir } = await initProject());
    server = await spawnServer({}, { command: 'dev', cwd: dir });
  }, 60_000);
  afterAll(() => server?.cleanup());

  it('serves the example with no error and reloads it when a file in pipelines/ changes', async () => {
    const description = async () => {
      const { pipelines } = (await (await fetch(`${server.url}/v1/pipelines`)).json()) as PipelineList;
      return pipelines.find((pipeline) => pipeline.name === 'contacts')?.description;
    };
    expect(await description()).toBe('text → the email addresses in it, grouped by domain');
    // Edits are seen from the line that names what is watched.
    await expect.poll(() => server.logs.some((line) => line.startsWith('unfold dev: serving contacts')), { timeout: 30_000 }).toBe(true);
    const module = join(dir, 'pipelines', 'contacts.ts');
    await writeFile(module, (await readFile(module, 'utf8')).replace('grouped by domain', 'grouped by domain (edited)'));
    // A reload imports the modules afresh: seconds on a loaded machine, so the wait is generous.
    await expect.poll(description, { timeout: 45_000, interval: 100 }).toBe('text → the email addresses in it, grouped by domain (edited)');
    expect(server.logs).toContain('unfold dev: reloaded contacts');
    // The CLI reports a failure as `unfold: …` and goes on to exit with code 2.
    expect(server.logs.filter((line) => line.startsWith('unfold: '))).toEqual([]);
    expect(server.running).toBe(true);
  }, 60_000);
});
