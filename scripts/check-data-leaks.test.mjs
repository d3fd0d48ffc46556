import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A small evaluation set and a small repository, both made up here, checked by the real script.
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'check-data-leaks.mjs');
const COURTESY = 'THANK YOU, PLEASE COME AGAIN. TERIMA KASIH';
let root;

function write(path, text) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
const box = (lines) => lines.map((text, row) => `10,${row * 20},300,${row * 20},300,${row * 20 + 18},10,${row * 20 + 18},${text}`).join('\n');
const email = (id, body) => `Message-ID: <${id}.JavaMail.quill@zed>\nFrom: someone@example.com\nSubject: note\n\n${body}`;

function check(args) {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'data-leaks-'));
  for (const id of ['R1', 'R2', 'R3']) {
    write(`data/sroie-train/box/${id}.txt`, box([`KEDAI ${id} ZEPHYRINE QUARTZ TRADING`, `NO. 4, JALAN ${id}QX, TAMAN VELLORITH`, COURTESY]));
    write(`data/sroie-train/key/${id}.json`, JSON.stringify({ company: `KEDAI ${id} ZEPHYRINE QUARTZ TRADING`, address: `NO. 4, JALAN ${id}QX, TAMAN VELLORITH`, date: '01/02/2018', total: '3.00' }));
  }
  const signature = 'Xanthe Pemberley-Quist\nDirector, Zorvath Kinetics\n(713) 555-0199';
  write('data/enron-signatures/m1.txt', email('48151623.1075855000042', `Can we move the call to Friday?\n\n${signature}`));
  write('data/enron-signatures/m1.txt.ann', JSON.stringify({ denotations: [{ type: 'Body/Signature', text: signature, start: 0, end: 0 }] }));
  write('data/enron-signatures/m2.txt', email('99887766.1075855000777', 'The figures for the second quarter were sent on to the whole desk this morning by courier.'));

  const repo = (name, files) => {
    for (const [path, text] of Object.entries(files)) write(`${name}/${path}`, text);
    const git = (...args) => spawnSync('git', args, { cwd: join(root, name), encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
  };
  repo('leaky', {
    // The signature copied into an array of strings, one field a line.
    'packages/a/src/signature.test.ts': "const lines = [\n  'Xanthe Pemberley-Quist',\n  'Director, Zorvath Kinetics',\n];\n",
    'packages/a/src/filter.ts': "// skips <48151623.1075855000042.JavaMail.quill@zed>\nexport const x = 1;\n",
    'packages/a/src/address.ts': "export const where = 'no. 4, jalan r2qx, taman vellorith';\n",
    // A whole sentence of plain words, from one email.
    'packages/a/src/sentence.ts': "// The figures for the second quarter were sent on to the whole desk this morning\n",
    'packages/a/package-lock.json': '{"x": "Xanthe Pemberley-Quist Director, Zorvath Kinetics"}\n',
  });
  repo('clean', {
    // Printed on every receipt of the set: generic, not a trace of one.
    'packages/a/src/courtesy.ts': `export const footer = '${COURTESY}';\n`,
    // Plain words shared with the data, but too short to be a copied sentence.
    'packages/a/src/plain.ts': '// were sent on to the whole desk\n',
    'packages/a/src/other.ts': "export const signature = 'Dana Whitfield\\nLead Engineer\\n(312) 555-0187';\n",
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('check-data-leaks', () => {
  it('names each file and line that carries a distinctive string of the data, and the data file it came from', () => {
    const { status, out } = check(['--data', join(root, 'data'), '--repo', join(root, 'leaky')]);
    expect(status).toBe(1);
    expect(out).toMatch(/packages\/a\/src\/signature\.test\.ts:2: .*from enron-signatures\/m1\.txt/);
    expect(out).toMatch(/packages\/a\/src\/filter\.ts:1: .*48151623 1075855000042/);
    expect(out).toMatch(/packages\/a\/src\/address\.ts:1: .*from sroie-train\/box\/R2\.txt/);
    expect(out).toMatch(/packages\/a\/src\/sentence\.ts:1: .*from enron-signatures\/m2\.txt/);
    expect(out).not.toContain('package-lock.json');
  });

  it('passes strings found in many documents, plain words and text of its own', () => {
    const { status, out } = check(['--data', join(root, 'data'), '--repo', join(root, 'clean')]);
    expect(out).toContain('no leak');
    expect(status).toBe(0);
  });

  it('refuses to pass when there is no data to check against', () => {
    const missing = check(['--data', join(root, 'nowhere'), '--repo', join(root, 'clean')]);
    expect(missing.status).toBe(2);
    expect(missing.out).toContain('no evaluation data');
    const half = check(['--data', join(root, 'data', 'sroie-train'), '--repo', join(root, 'clean')]);
    expect(half.status).toBe(2);
  });
});
