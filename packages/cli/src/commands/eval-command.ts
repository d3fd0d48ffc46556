import { ENRON_FIELDS, SROIE_FIELDS, evaluateEnron, evaluateSroie } from '@unfold/pipelines';
import { UnfoldError } from '@unfold/protocol';

export interface EvalOptions {
  data: string;
  from: string;
  json?: boolean;
  strict?: boolean;
}

const line = (name: string, score: { precision: number; recall: number; f1: number }) => `${name} ${score.precision.toFixed(3)} ${score.recall.toFixed(3)} ${score.f1.toFixed(3)}`;

/** `unfold eval receipt|email --data <dir>`: precision, recall and F1 per field, then overall. */
export async function evalCommand(pipeline: string, options: EvalOptions): Promise<void> {
  if (pipeline === 'email') {
    const report = await evaluateEnron(options.data, { strict: options.strict === true });
    if (options.json) return void process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    for (const field of [...ENRON_FIELDS, 'overall'] as const) process.stdout.write(`${line(field, report.fields[field])}\n`);
    process.stderr.write(`${report.emails} emails\n`);
    return;
  }
  if (pipeline !== 'receipt') throw new UnfoldError('unknown_pipeline', `no evaluation for "${pipeline}"; try: receipt, email`);
  if (options.from !== 'boxes' && options.from !== 'images') throw new UnfoldError('invalid_input', `--from is boxes or images, not ${options.from}`);
  const report = await evaluateSroie(options.data, options.from, (done, total) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total}`);
  });
  if (process.stderr.isTTY) process.stderr.write('\r');
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  for (const field of [...SROIE_FIELDS, 'overall'] as const) process.stdout.write(`${line(field, report.exact[field])}\n`);
  process.stderr.write(
    [
      `normalised: ${[...SROIE_FIELDS, 'overall'].map((field) => `${field} ${report.normalized[field as 'overall'].f1.toFixed(3)}`).join(', ')}`,
      `${report.receipts} receipts; first field_labeled after the words: p50 ${report.first_field_ms.p50} ms, p99 ${report.first_field_ms.p99} ms`,
      '',
    ].join('\n'),
  );
}
