import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createClient, type TransportName } from '@unfold/client/node';
import { TRANSPORTS, isCustomEventType, type PipelineList, type UnfoldEvent } from '@unfold/protocol';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { runUnfold } from './cli-process.js';
import { UNFOLD_BIN, spawnServer, type ServerProcess } from './faults/spawn-server.js';
import type invoice from './user-pipeline/invoice-pipeline.js';

const execFileAsync = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('./user-pipeline/invoice-pipeline.ts', import.meta.url));
const LINES = [
  { item: 'paper', amount: 12.5 },
  { item: 'toner', amount: 80 },
  { item: 'stapler', amount: 7.25 },
];

/** A user's project: a folder outside the repository, no node_modules, one TypeScript module. */
async function userProject(): Promise<{ dir: string; module: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'unfold-user-'));
  const module = join(dir, 'invoice.ts');
  await copyFile(FIXTURE, module);
  return { dir, module };
}

describe('a pipeline module of the user\'s, loaded by `unfold serve --pipelines`', () => {
  let project: { dir: string; module: string };
  let server: ServerProcess;
  beforeAll(async () => {
    project = await userProject();
    server = await spawnServer({}, { args: ['--pipelines', project.module] });
  }, 60_000);
  afterAll(async () => {
    await server?.cleanup();
    await rm(project.dir, { recursive: true, force: true });
  });

  it('is listed beside the built-in pipelines with its tools, its input as JSON Schema and its custom events', async () => {
    const { pipelines } = (await (await fetch(`${server.url}/v1/pipelines`)).json()) as PipelineList;
    expect(pipelines.map((pipeline) => pipeline.name)).toEqual(['demo', 'receipt', 'email', 'invoice']);
    const listed = pipelines.find((pipeline) => pipeline.name === 'invoice');
    expect(listed).toMatchObject({ description: 'invoice lines → a total (version 1)', tools: ['read_lines', 'add_up'] });
    expect(listed?.input_schema).toMatchObject({ type: 'object', required: ['vendor', 'lines'], properties: { vendor: { type: 'string', minLength: 1 }, lines: { type: 'array', minItems: 1 } } });
    expect(Object.keys(listed?.events ?? {}).sort()).toEqual(['data-line', 'data-total']);
    expect(listed?.events['data-total']).toMatchObject({ properties: { total: { type: 'number' }, currency: { const: 'EUR' } } });
    const openapi = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as { components: { schemas: Record<string, unknown> } };
    expect(openapi.components.schemas['Input_invoice']).toEqual(listed?.input_schema);
    expect(openapi.components.schemas['Event_invoice_data-line']).toMatchObject({ allOf: [{ $ref: '#/components/schemas/Event' }, { properties: { event_type: { const: 'data-line' } } }] });
  });

  describe.each(TRANSPORTS.map((transport) => [transport]))('watched over %s', (transport: TransportName) => {
    it('streams its tools and custom events, typed, every event once in order, and ends with its result', async () => {
      const client = createClient<typeof invoice>({ baseUrl: server.url, transports: [transport] });
      const stream = client.runAndWatch({ pipeline: 'invoice', input: { vendor: 'ACME', lines: LINES } });
      const lines: { index: number; item: string; amount: number }[] = [];
      stream.on('data-line', (event) => {
        expectTypeOf(event.data).toEqualTypeOf<{ index: number; item: string; amount: number }>();
        lines.push(event.data);
      });
      const events: UnfoldEvent[] = [];
      stream.on('event', (event) => events.push(event));
      const result = await stream.result();
      expectTypeOf(result).toEqualTypeOf<{ vendor: string; total: number }>();
      expect(result).toEqual({ vendor: 'ACME', total: 99.75 });
      expect(lines).toEqual(LINES.map((line, index) => ({ index, ...line })));
      expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
      expect(events.map((event) => event.event_type)).toEqual([
        'processing_started',
        'tool_started',
        ...LINES.flatMap(() => ['data-line', 'tool_progress']),
        'tool_completed',
        'tool_started',
        'data-total',
        'validation_result',
        'tool_completed',
        'processing_completed',
      ]);
      expect(events.find((event) => event.event_type === 'data-total')).toMatchObject({ pipeline: 'invoice', data: { total: 99.75, currency: 'EUR' } });
    });
  });

  it('checks a run\'s input against the pipeline\'s schema, at compile time and with 422 invalid_input', async () => {
    const client = createClient<typeof invoice>({ baseUrl: server.url });
    // @ts-expect-error: a typed client refuses input the pipeline's schema does not describe
    const refused = client.createRun({ pipeline: 'invoice', input: { vendor: 7, lines: [] } });
    await expect(refused).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^invoice input: .*vendor/) });
    // @ts-expect-error: and pipelines it was not typed with
    await expect(client.createRun({ pipeline: 'invoices', input: {} })).rejects.toMatchObject({ code: 'unknown_pipeline' });
  });

  it('fails a run whose tool emits a custom payload its schema refuses with invalid_event, and stores none of it', async () => {
    const client = createClient<typeof invoice>({ baseUrl: server.url, transports: ['long-poll'] });
    const stream = client.runAndWatch({ pipeline: 'invoice', input: { vendor: 'ACME', lines: LINES, break_total: true } });
    const events: UnfoldEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_failed', code: 'invalid_event', tool_name: 'add_up', error: expect.stringContaining('event "data-total" was not emitted') });
    expect(events.filter((event) => event.event_type === 'data-total')).toEqual([]);
    expect(events.find((event) => event.event_type === 'tool_failed')).toMatchObject({ tool_name: 'add_up', code: 'invalid_event' });
    await expect(stream.result()).rejects.toMatchObject({ code: 'invalid_event' });
    const run = (await (await fetch(`${server.url}/v1/runs/${stream.runId}`)).json()) as { status: string; error: { code: string } };
    expect(run).toMatchObject({ status: 'failed', error: { code: 'invalid_event' } });
  });
});

describe('`unfold run` of a user pipeline (--pipelines)', () => {
  let project: { dir: string; module: string };
  const env = () => ({ UNFOLD_DATA_DIR: join(project.dir, '.unfold'), LOG_LEVEL: 'warn' });
  const inputFile = async (input: unknown) => {
    const file = join(project.dir, 'input.json');
    await writeFile(file, JSON.stringify(input));
    return file;
  };
  const run = async (input: unknown) => runUnfold(['run', 'invoice', await inputFile(input), '--json', '--pipelines', project.module], env());
  beforeAll(async () => {
    project = await userProject();
  });
  afterAll(() => rm(project.dir, { recursive: true, force: true }));

  it('takes its input from a JSON file and prints its custom events with their data, in order, then its result', async () => {
    const { code, stdout, stderr } = await run({ vendor: 'ACME', lines: LINES });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const events = stdout.trim().split('\n').map((text) => JSON.parse(text) as UnfoldEvent);
    expect(events.filter((event) => isCustomEventType(event.event_type)).map((event) => [event.event_type, 'data' in event ? event.data : undefined])).toEqual([
      ...LINES.map((line, index) => ['data-line', { index, ...line }]),
      ['data-total', { total: 99.75, currency: 'EUR' }],
    ]);
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_completed', result: { vendor: 'ACME', total: 99.75 } });
  }, 30_000);

  it('shows each custom event as its type and its data on one line in the live terminal view', async () => {
    const args = [process.execPath, UNFOLD_BIN, 'run', 'invoice', await inputFile({ vendor: 'ACME', lines: LINES }), '--pipelines', project.module];
    // script(1) gives the CLI a terminal, where it draws the live view instead of printing NDJSON.
    const { stdout } = await execFileAsync('script', ['-qec', args.map((arg) => `'${arg}'`).join(' '), '/dev/null'], { env: { ...process.env, ...env() } });
    expect(stdout).toContain('read_lines');
    expect(stdout).toContain('  data-line {"index":0,"item":"paper","amount":12.5}');
    expect(stdout).toContain('  data-line {"index":2,"item":"stapler","amount":7.25}');
    expect(stdout).toContain('  data-total {"total":99.75,"currency":"EUR"}');
  }, 30_000);

  it('refuses input its schema does not describe with invalid_input', async () => {
    const { code, stdout, stderr } = await run({ vendor: 'ACME', lines: [] });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/invoice input: .*lines.*\(invalid_input\)/s);
  }, 30_000);
});

describe('a pipeline module that cannot load', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'unfold-bad-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const serve = async (name: string, source: string | undefined) => {
    const module = join(dir, name);
    if (source !== undefined) await writeFile(module, source);
    return { module, ...(await runUnfold(['serve', '--port', '0', '--pipelines', module], { UNFOLD_DATA_DIR: join(dir, `.unfold-${name}`), LOG_LEVEL: 'warn' })) };
  };

  it.each([
    ['throws on import', 'throws.ts', "throw new Error('no API key for the vendor service');\nexport default {};\n", 'it threw on import: no API key for the vendor service'],
    ['does not parse', 'broken.ts', 'export default definePipeline({ name: ;\n', 'it threw on import'],
    ['exports no pipeline', 'empty.ts', 'export const answer = 42;\n', 'its default export is not a pipeline'],
    ['exports something else', 'other.ts', "export default [{ name: 'x' }];\n", 'its default export is not a pipeline (make it with definePipeline from @unfold/engine)'],
    ['defines a pipeline that cannot run', 'nosteps.ts', "import { definePipeline } from '@unfold/engine';\nimport { z } from 'zod';\nexport default definePipeline({ name: 'x', description: '', input: z.object({}), steps: [] });\n", 'it threw on import: pipeline x: needs at least one step'],
    [
      'takes a built-in pipeline\'s name',
      'clash.ts',
      "import { definePipeline, defineTool } from '@unfold/engine';\nimport { z } from 'zod';\nexport default definePipeline({ name: 'receipt', description: '', input: z.object({}), steps: [defineTool({ name: 't', run: () => 1 })] });\n",
      'pipeline receipt takes a name that is already registered',
    ],
    ['is not there', 'missing.ts', undefined, 'no such file'],
  ])('refuses to start when the module %s, naming the file and the problem', async (_, name, source, problem) => {
    const { code, stderr, module } = await serve(name, source);
    expect(code).toBe(2);
    expect(stderr).toContain(`unfold: cannot load pipelines from ${module}: ${problem}`);
    expect(stderr).toContain('(invalid_pipeline_module)');
  }, 30_000);
});

describe('unfold dev', () => {
  let project: { dir: string; module: string };
  let server: ServerProcess;
  beforeAll(async () => {
    project = await userProject();
    server = await spawnServer({}, { command: 'dev', args: ['--pipelines', project.module] });
  }, 60_000);
  afterAll(async () => {
    await server?.cleanup();
    await rm(project.dir, { recursive: true, force: true });
  });

  const description = async () => {
    const { pipelines } = (await (await fetch(`${server.url}/v1/pipelines`)).json()) as PipelineList;
    return pipelines.find((pipeline) => pipeline.name === 'invoice')?.description;
  };
  const until = async (condition: () => Promise<boolean>, what: string) => {
    // A reload imports the module afresh: seconds on a loaded machine, so the wait is generous.
    for (let tries = 0; tries < 600; tries++) {
      if (await condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${what}:\n${server.logs.join('\n')}`);
  };

  it('reloads the pipeline when its file changes while a client watching a run stays connected and misses nothing', async () => {
    // Edits are seen from the line that names what is watched.
    await until(async () => server.logs.some((line) => line.startsWith('unfold dev: serving invoice')), 'the watcher to be ready');
    const client = createClient<typeof invoice>({ baseUrl: server.url, transports: ['websocket'] });
    const lines = Array.from({ length: 40 }, (_, index) => ({ item: `line ${index}`, amount: 1 }));
    const stream = client.runAndWatch({ pipeline: 'invoice', input: { vendor: 'ACME', lines, pace_ms: 50 } });
    const states: string[] = [];
    stream.on('state', (state) => states.push(state.status));
    const seqs: number[] = [];
    let edited: Promise<void> | undefined;
    stream.on('event', (event) => {
      seqs.push(event.seq);
      if (event.seq === 6) edited = readFile(project.module, 'utf8').then((source) => writeFile(project.module, source.replace('(version 1)', '(version 2)')));
    });
    await until(async () => (await description()) === 'invoice lines → a total (version 2)', 'the reload');
    await edited;
    expect(await stream.result()).toEqual({ vendor: 'ACME', total: 40 });
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    expect(seqs.length).toBe(2 + 40 * 2 + 1 + 4 + 1);
    // Connected once and never dropped: the reload happened inside the running server.
    expect(states.filter((status) => status === 'live')).toHaveLength(1);
    expect(states).not.toContain('reconnecting');

    // A run started after the reload runs the new version; a broken edit keeps the last good one serving.
    expect((await client.runAndWatch({ pipeline: 'invoice', input: { vendor: 'B', lines: LINES } }).result()).total).toBe(99.75);
    await writeFile(project.module, 'export default definePipeline({ name: ;\n');
    await until(async () => server.logs.some((line) => line.includes('the last version keeps serving')), 'the failed reload to be reported');
    expect(server.logs.find((line) => line.includes('the last version keeps serving'))).toContain(`cannot load pipelines from ${project.module}: it threw on import`);
    expect(await description()).toBe('invoice lines → a total (version 2)');
    expect((await client.runAndWatch({ pipeline: 'invoice', input: { vendor: 'C', lines: LINES } }).result()).vendor).toBe('C');
  }, 60_000);
});
