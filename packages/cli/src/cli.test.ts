import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/unfold.js', import.meta.url));

/** Runs the built CLI (`npm test` builds first) as a user would, with piped output. */
function unfold(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

describe('unfold CLI', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'unfold-cli-'));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('runs a pipeline on standard input and prints NDJSON events when piped, ending with the result', async () => {
    const { code, stdout } = await unfold(['run', 'demo', '-'], { stdin: '{"pace": 0}', env: { UNFOLD_DATA_DIR: dataDir } });
    expect(code).toBe(0);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as { event_type: string; seq: number; result?: unknown });
    expect(events[0]?.event_type).toBe('processing_started');
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_completed', result: { validation: { status: 'valid' } } });
  });

  it('exits 1 with the failure when the run fails, and 2 with a clear message for bad input', async () => {
    const failed = await unfold(['run', 'demo', '-'], { stdin: '{"pace": 0, "fail_tool": "validate"}', env: { UNFOLD_DATA_DIR: dataDir } });
    expect(failed.code).toBe(1);
    expect(failed.stdout.trim().split('\n').at(-1)).toContain('"processing_failed"');

    const unknown = await unfold(['run', 'nope', '-'], { env: { UNFOLD_DATA_DIR: dataDir } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no pipeline named "nope"');

    const notJson = await unfold(['run', 'demo', '-'], { stdin: 'pace=0', env: { UNFOLD_DATA_DIR: dataDir } });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('standard input is not JSON');
  });

  it('refuses to serve with a bad variable and names it', async () => {
    const { code, stderr } = await unfold(['serve'], { env: { PORT: 'eighty', UNFOLD_DATA_DIR: dataDir } });
    expect(code).toBe(2);
    expect(stderr).toContain('PORT="eighty"');
  });

  it('refuses to serve a non-loopback address with no API key unless UNFOLD_AUTH=none, coded', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'unfold-cli-bind-'));
    const { code, stderr } = await unfold(['serve', '--host', '0.0.0.0', '--port', '0'], { env: { UNFOLD_DATA_DIR: directory } });
    await rm(directory, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(stderr).toContain('(auth_not_configured)');
    expect(stderr).toContain('UNFOLD_AUTH=none');
  });
});

describe('unfold keys', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'unfold-cli-keys-'));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));
  const keys = (args: string[]) => unfold(['keys', ...args], { env: { UNFOLD_DATA_DIR: dataDir } });

  // Each command is a Node start: a few seconds apiece on a loaded machine, hence the timeouts.
  let keyId: string | undefined;

  it('creates a key and prints it alone on standard output; lists it by id, never the key', async () => {
    const created = await keys(['create', '--tenant', 'acme', '--label', 'ci runner']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^ufk_[A-Za-z0-9_-]{43}\n$/);
    keyId = /(key_[0-9a-f]{12})/.exec(created.stderr)?.[1];
    expect(keyId).toBeDefined();

    const listed = await keys(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID +TENANT +LABEL +CREATED +LAST USED +REVOKED$/);
    expect(listed.stdout).toContain(`${keyId}  acme    ci runner`);
    expect(listed.stdout).not.toContain(created.stdout.trim());
    const json = JSON.parse((await keys(['list', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(json).toEqual([{ key_id: keyId, tenant: 'acme', label: 'ci runner', created_at: expect.any(String), last_used_at: null, revoked_at: null }]);
  }, 60_000);

  it('runs on the embedded server with keys in the data directory, and revokes a key once', async () => {
    // With a key in the data directory, a run on the embedded server still just works.
    const run = await unfold(['run', 'demo', '-'], { stdin: '{"pace": 0}', env: { UNFOLD_DATA_DIR: dataDir } });
    expect(run.code).toBe(0);

    const revoked = await keys(['revoke', keyId as string]);
    expect(revoked).toMatchObject({ code: 0, stdout: '' });
    expect(revoked.stderr).toContain(`Revoked ${keyId}`);
    expect((await keys(['revoke', keyId as string])).stderr).toContain('already revoked');
    expect(JSON.parse((await keys(['list', '--json'])).stdout)[0].revoked_at).toEqual(expect.any(String));
  }, 60_000);

  it('exits 2 with a code for an unknown id, a bad tenant, and a memory store', async () => {
    const unknown = await keys(['revoke', 'key_000000000000']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('(key_not_found)');
    const badTenant = await keys(['create', '--tenant', 'two words']);
    expect(badTenant).toMatchObject({ code: 2, stdout: '' });
    expect(badTenant.stderr).toContain('(validation_failed)');
    const memory = await unfold(['keys', 'list'], { env: { UNFOLD_DATA_DIR: dataDir, UNFOLD_STORE: 'memory' } });
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain('UNFOLD_API_KEYS');
  }, 60_000);
});

describe('unfold eval --folds', () => {
  let dataDir: string;
  /** Made-up people, each signing a short note with a name, a title and a phone. */
  const PEOPLE = [
    ['Mara Quell', 'Senior Analyst', '(713) 555-0101'],
    ['Tobin Ashe', 'Project Manager', '(713) 555-0102'],
    ['Ilse Varga', 'Director', '(713) 555-0103'],
    ['Owen Pratt', 'Staff Engineer', '(713) 555-0104'],
    ['Nell Corrigan', 'Vice President', '(713) 555-0105'],
  ] as const;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'unfold-cli-eval-'));
    for (const [index, [name, title, phone]] of PEOPLE.entries()) {
      const signature = `${name}\n${title}\n${phone}`;
      const body = `Please send the figures by Friday.\n\nThanks,\n${signature}\n`;
      const at = (text: string) => ({ start: body.indexOf(text), end: body.indexOf(text) + text.length, text });
      const denotations = [
        { type: 'Body/Signature', ...at(signature) },
        { type: 'Body/Signature/Name', ...at(name) },
        { type: 'Body/Signature/Position', ...at(title) },
        { type: 'Body/Signature/Phone', ...at(phone) },
      ];
      await writeFile(join(dataDir, `note_${index}.txt`), `From: sender${index}@example.com\nTo: team@example.com\nSubject: figures\n\n${body}`);
      await writeFile(join(dataDir, `note_${index}.txt.ann`), JSON.stringify({ text: body, denotations }));
    }
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('prints held-back figures per field with the training folds\' beside them, and overall last', async () => {
    const { code, stdout, stderr } = await unfold(['eval', 'email', '--data', dataDir, '--folds', '3']);
    expect(code).toBe(0);
    const printed = stdout.trim().split('\n');
    // The reliability table comes first; the signature model reads every made-up signature with a confidence.
    expect(printed[0]).toBe('confidence of the signature fields read with one, held back (model trained on the training folds):');
    expect(printed.some((line) => /^ {2}expected calibration error \d\.\d{3}$/.test(line))).toBe(true);
    const lines = printed.slice(printed.findIndex((line) => line.startsWith('name ')));
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['name', 'position', 'organisation', 'phone', 'email', 'overall']);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^\w+ \d\.\d{3} \d\.\d{3} \d\.\d{3}  training \d\.\d{3} \d\.\d{3} \d\.\d{3}$/);
    expect(lines[0]).toBe('name 1.000 1.000 1.000  training 1.000 1.000 1.000');
    expect(lines[3]).toBe('phone 1.000 1.000 1.000  training 1.000 1.000 1.000');
    expect(lines.at(-1)).toBe('overall 1.000 1.000 1.000');
    expect(stderr).toContain('5 emails; 3 folds, seed 17; fitted per fold: {"maxRoleLineWords":8,"model":{"candidate_name":{"weights":"');

    const json = JSON.parse((await unfold(['eval', 'email', '--data', dataDir, '--folds', '3', '--seed', '4', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ emails: 5, folds: 3, seed: 4, held_out: { fields: { overall: { f1: 1 } } }, training: { fields: { overall: { f1: 1 } } } });
    expect(json['parameters']).toHaveLength(3);
  }, 60_000);

  it('refuses one fold, more folds than emails, and a seed without folds', async () => {
    expect((await unfold(['eval', 'email', '--data', dataDir, '--folds', '1'])).stderr).toContain('a whole number of at least 2');
    const tooMany = await unfold(['eval', 'email', '--data', dataDir, '--folds', '6']);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toContain('6 folds need at least 6 documents');
    expect((await unfold(['eval', 'email', '--data', dataDir, '--seed', '3'])).stderr).toContain('--seed chooses the split of --folds');
  }, 60_000);
});

describe('unfold eval receipt: confidence', () => {
  let dataDir: string;
  /** Two made-up receipts in SROIE's box format: a line a row, four corners, then the text. */
  const RECEIPTS = [
    ['KEDAI BUKU CERIA', 'NO 3, JALAN DAMAI, 43000 KAJANG', 'DATE: 02/04/2018', 'TOTAL 12.00'],
    ['RESTORAN SINAR PAGI', 'LOT 9, JALAN INDAH, 50050 KUALA LUMPUR', 'DATE: 11/06/2018', 'TOTAL 8.50'],
  ] as const;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'unfold-cli-receipts-'));
    await mkdir(join(dataDir, 'box'));
    await mkdir(join(dataDir, 'key'));
    for (const [index, [company, address, date, total]] of RECEIPTS.entries()) {
      const boxes = [company, address, date, total].map((text, row) => `10,${20 + row * 30},300,${20 + row * 30},300,${40 + row * 30},10,${40 + row * 30},${text}`);
      await writeFile(join(dataDir, 'box', `r${index}.txt`), `${boxes.join('\n')}\n`);
      await writeFile(join(dataDir, 'key', `r${index}.json`), JSON.stringify({ company, address, date: date.slice(6), total: total.slice(6) }));
    }
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('prints how often each confidence was right before the figures, and writes a calibration fitted on every receipt', async () => {
    const { code, stdout } = await unfold(['eval', 'receipt', '--data', dataDir]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('confidence of the labels with a truth (as shipped):');
    expect(lines.some((line) => /^ {2}confidence 0\.\d\d-\d\.\d\d +\d+ claims {2}said \d\.\d{3} {2}right \d\.\d{3}$/.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/^overall /);

    const file = join(dataDir, 'calibration.json');
    expect((await unfold(['eval', 'receipt', '--data', dataDir, '--write-calibration', file])).code).toBe(0);
    const calibration = JSON.parse(await readFile(file, 'utf8')) as Record<'given' | 'ocr', Record<string, [number, number][]>>;
    // Both dates right: (2 + 1) / (2 + 2), whatever the rule's own confidence; boxes are given text, so OCR'd text keeps what ships.
    expect(calibration.given['DATE']?.map(([, calibrated]) => calibrated)).toEqual([0.75]);
    expect(Object.keys(calibration)).toEqual(['given', 'ocr']);
  }, 60_000);

  it('refuses --write-calibration with --folds or for emails, writing nothing', async () => {
    const file = join(dataDir, 'refused.json');
    const withFolds = await unfold(['eval', 'receipt', '--data', dataDir, '--folds', '2', '--write-calibration', file]);
    expect(withFolds.code).toBe(2);
    expect(withFolds.stderr).toContain('--write-calibration fits on every receipt of --data');
    expect((await unfold(['eval', 'email', '--data', dataDir, '--write-calibration', file])).code).toBe(2);
    await expect(readFile(file)).rejects.toThrow();
  }, 60_000);
});
