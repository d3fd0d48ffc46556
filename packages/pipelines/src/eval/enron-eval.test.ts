import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateEnron } from './enron-eval.js';

/** An annotation in the data set's shape: offsets into the body, found by the text. */
function annotate(body: string, labels: Array<[type: string, text: string]>): string {
  return JSON.stringify({ text: body, denotations: labels.map(([type, text]) => ({ type, text, start: body.indexOf(text), end: body.indexOf(text) + text.length })) });
}
const message = (body: string) => `From: someone@example.com\nTo: other@example.com\nSubject: hello\n\n${body}`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enron-eval-'));
  const labelled = 'Can we meet at 3?\n\nThanks,\nDana Whitfield\nLead Engineer\n(713) 555-0142';
  await writeFile(join(dir, 'a.txt'), message(labelled));
  await writeFile(join(dir, 'a.txt.ann'), annotate(labelled, [['Body/Signature', 'Dana Whitfield\nLead Engineer\n(713) 555-0142'], ['Body/Signature/Name', 'Dana Whitfield'], ['Body/Signature/Position', 'Lead Engineer']]));
  // The sign-off is marked as a block with its name left unlabelled.
  const unlabelled = 'Call me.\n\nBest,\nJeff';
  await writeFile(join(dir, 'b.txt'), message(unlabelled));
  await writeFile(join(dir, 'b.txt.ann'), annotate(unlabelled, [['Body/Outro', 'Best,\nJeff']]));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('evaluateEnron', () => {
  it('scores what the rules read against the labels, and leaves blocks annotated without fields out', async () => {
    const report = await evaluateEnron(dir);
    expect(report.emails).toBe(2);
    expect(report.fields.name).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(report.fields.position).toEqual({ precision: 1, recall: 1, f1: 1 });
    // The phone was read but never labelled: a false positive.
    expect(report.fields.phone.precision).toBe(0);
  });

  it('judges each value scored at the confidence it was read with: the name right, the unlabelled phone wrong; the title, which the shipped model leaves to the rules, has none', async () => {
    const { reliability } = await evaluateEnron(dir);
    const claims = reliability.bins.reduce((total, bin) => total + bin.claims, 0);
    const right = reliability.bins.reduce((total, bin) => total + bin.claims * bin.share_right, 0);
    expect(claims).toBe(2);
    expect(Math.round(right)).toBe(1);
  });

  it('counts what is read from an unlabelled block as wrong when strict', async () => {
    const report = await evaluateEnron(dir, { strict: true });
    expect(report.fields.name.precision).toBe(0.5);
  });
});
