#!/usr/bin/env node
// Trains the email signature model on annotated emails (`<name>.txt` with its `<name>.txt.ann`,
// the format `unfold eval email` reads) and writes the weights the email pipeline ships with.
// Deterministic: the same emails give the same file. Build first (`npm run build`).
//   node scripts/train-email-model.mjs --data <dir> [--out packages/pipelines/src/email/signature-weights.json]
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { trainEnronModel } from '../packages/pipelines/dist/index.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string', default: 'packages/pipelines/src/email/signature-weights.json' } } });
if (!values.data) {
  process.stderr.write('usage: node scripts/train-email-model.mjs --data <dir> [--out <file>]\n');
  process.exit(2);
}
const model = await trainEnronModel(values.data);
await writeFile(values.out, `${JSON.stringify(model)}\n`);
const weights = Object.values(model).reduce((sum, field) => sum + Object.keys(field.weights).length, 0);
process.stdout.write(`${values.out}: ${weights} weights over ${Object.keys(model).length} fields\n`);
