import { writeFile } from 'node:fs/promises';
import { ENRON_FIELDS, OCR_ENGINES, SROIE_FIELDS, crossValidateEnron, crossValidateSroie, evaluateEnron, evaluateSroie, fitSroieCalibration, formatReliability, type FieldScore, type OcrEngineName, type Reliability } from '@unfold/pipelines';
import { UnfoldError } from '@unfold/protocol';

export interface EvalOptions {
  data: string;
  from: string;
  ocr?: string;
  json?: boolean;
  strict?: boolean;
  folds?: number;
  seed?: number;
  writeCalibration?: string;
}

const figures = (score: FieldScore) => `${score.precision.toFixed(3)} ${score.recall.toFixed(3)} ${score.f1.toFixed(3)}`;
const line = (name: string, score: FieldScore) => `${name} ${figures(score)}`;

/**
 * A field's held-back figures with the training folds' beside them; the overall line stays
 * `overall <P> <R> <F1>` (held back) for scripts that read the last line, and its training
 * figures go to standard error.
 */
function printFolded<F extends string>(fields: readonly F[], heldOut: Record<F | 'overall', FieldScore>, training: Record<F | 'overall', FieldScore>): void {
  for (const field of fields) process.stdout.write(`${line(field, heldOut[field])}  training ${figures(training[field])}\n`);
  process.stdout.write(`${line('overall', heldOut.overall)}\n`);
  process.stderr.write(`training overall ${figures(training.overall)}\n`);
}

/** How often claims were right at each confidence, printed before the figures so the overall line stays last. */
const printReliability = (title: string, reliability: Reliability) => process.stdout.write([`${title}:`, ...formatReliability(reliability).map((row) => `  ${row}`), ''].join('\n'));

/** A learned model's weights are counted, not printed: the line stays one a person can read. */
const summarise = (key: string, value: unknown) => (key === 'weights' && typeof value === 'object' && value !== null ? `${Object.keys(value).length} weights` : value);
const describeFolds = (report: { folds: number; seed: number; parameters: readonly unknown[] }) =>
  `${report.folds} folds, seed ${report.seed}; fitted per fold: ${report.parameters.map((parameters) => JSON.stringify(parameters, summarise)).join(' ')}`;

const write = (report: unknown): void => void process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

async function evalEmail(options: EvalOptions): Promise<void> {
  const strict = options.strict === true;
  if (options.folds !== undefined) {
    const report = await crossValidateEnron(options.data, { strict, folds: options.folds, seed: options.seed });
    if (options.json) return write(report);
    printReliability('confidence of the signature fields read with one, held back (model trained on the training folds)', report.held_out.reliability);
    printFolded(ENRON_FIELDS, report.held_out.fields, report.training.fields);
    process.stderr.write(`${report.emails} emails; ${describeFolds(report)}\n`);
    return;
  }
  const report = await evaluateEnron(options.data, { strict });
  if (options.json) return write(report);
  printReliability('confidence of the signature fields read with one (as shipped)', report.reliability);
  for (const field of [...ENRON_FIELDS, 'overall'] as const) process.stdout.write(`${line(field, report.fields[field])}\n`);
  process.stderr.write(`${report.emails} emails\n`);
}

/** One figure per receipt field and overall, on one line: "company 0.944, …, overall 0.908". */
const perField = (figure: (field: string) => number | undefined) => [...SROIE_FIELDS, 'overall'].map((field) => `${field} ${figure(field)?.toFixed(3)}`).join(', ');
const normalised = (scores: Record<string, FieldScore>) => perField((field) => scores[field]?.f1);
const ceiling = (report: { ceiling: Record<string, number> }) => `copiable from the lines read (the most exact recall a reader of them can reach): ${perField((field) => report.ceiling[field])}`;
const timing = (report: { receipts: number; first_field_ms: { p50: number; p99: number } }) =>
  `${report.receipts} receipts; first field_labeled after the words: p50 ${report.first_field_ms.p50} ms, p99 ${report.first_field_ms.p99} ms`;

async function evalReceipt(options: EvalOptions, from: 'boxes' | 'images', ocrEngine: OcrEngineName | undefined): Promise<void> {
  const onProgress = (done: number, total: number) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total}`);
  };
  if (options.folds !== undefined) {
    const report = await crossValidateSroie(options.data, from, { folds: options.folds, seed: options.seed, ocrEngine }, onProgress);
    if (process.stderr.isTTY) process.stderr.write('\r');
    if (options.json) return write(report);
    printReliability('confidence of the labels with a truth, held back (calibrated on the training folds)', report.held_out.reliability);
    printFolded(SROIE_FIELDS, report.held_out.exact, report.training.exact);
    process.stderr.write([`normalised: ${normalised(report.held_out.normalized)}`, `normalised, training: ${normalised(report.training.normalized)}`, ceiling(report), `${timing(report)}; ${describeFolds(report)}`, ''].join('\n'));
    return;
  }
  if (options.writeCalibration !== undefined) {
    const calibration = await fitSroieCalibration(options.data, from, onProgress, ocrEngine);
    await writeFile(options.writeCalibration, `${JSON.stringify(calibration, null, 2)}\n`);
    process.stderr.write(`\rwrote the confidence calibration of ${from === 'boxes' ? 'given text' : "OCR'd text"} (${Object.keys(from === 'boxes' ? calibration.given : calibration.ocr).join(', ')}) to ${options.writeCalibration}\n`);
    return;
  }
  const report = await evaluateSroie(options.data, from, onProgress, ocrEngine);
  if (process.stderr.isTTY) process.stderr.write('\r');
  if (options.json) return write(report);
  printReliability('confidence of the labels with a truth (as shipped)', report.reliability);
  for (const field of [...SROIE_FIELDS, 'overall'] as const) process.stdout.write(`${line(field, report.exact[field])}\n`);
  process.stderr.write([`normalised: ${normalised(report.normalized)}`, ceiling(report), timing(report), ''].join('\n'));
}

/** `unfold eval receipt|email --data <dir> [--folds k]`: precision, recall and F1 per field, then overall. */
export async function evalCommand(pipeline: string, options: EvalOptions): Promise<void> {
  if (options.seed !== undefined && options.folds === undefined) throw new UnfoldError('invalid_input', '--seed chooses the split of --folds; give --folds too');
  if (options.writeCalibration !== undefined && (options.folds !== undefined || pipeline !== 'receipt')) throw new UnfoldError('invalid_input', '--write-calibration fits on every receipt of --data: give it to eval receipt, without --folds');
  if (pipeline === 'email') return evalEmail(options);
  if (pipeline !== 'receipt') throw new UnfoldError('unknown_pipeline', `no evaluation for "${pipeline}"; try: receipt, email`);
  if (options.from !== 'boxes' && options.from !== 'images') throw new UnfoldError('invalid_input', `--from is boxes or images, not ${options.from}`);
  const ocr = options.ocr;
  if (ocr !== undefined && !OCR_ENGINES.some((engine) => engine === ocr)) throw new UnfoldError('invalid_input', `--ocr is ${OCR_ENGINES.join(' or ')}, not ${ocr}`);
  return evalReceipt(options, options.from, ocr as OcrEngineName | undefined);
}
