#!/usr/bin/env node
// Fails when a file tracked in the repository (code, tests, fixtures, docs) carries a
// distinctive string of the evaluation data (SROIE receipts, annotated Enron emails): rules
// must be written from patterns and tests from fixtures the project makes, never from the
// files the extraction is scored on.
//
//   node scripts/check-data-leaks.mjs [--data data] [--repo <clone>]
//
// Both sides are compared as streams of lower-case letters and digits, every run of other
// characters (spaces, line breaks, punctuation, quotes and commas between string literals,
// `\n` escapes) one space, so a signature copied into an array of strings still matches the
// email it came from. A shared run is a leak when it is at least SHORT_RUN characters and
// touches a token no English dictionary knows (a name, an id, a street) or a phone number,
// or when it is at least LONG_RUN characters of plain words (a copied sentence); a stretch
// found in COMMON_IN or more documents is generic and never counts.
// Exit 0: no leak; 1: leaks, each `file:line` with the data file it came from;
// 2: no data to check against.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SHORT_RUN = 24;
const LONG_RUN = 48;
const COMMON_IN = 3;
const NOT_TEXT = /\.(png|jpe?g|gif|webp|ico|bmp|tiff?|pdf|woff2?|ttf|otf|wasm|traineddata|gz|zip|sqlite|db)$/i;

const { values: options } = parseArgs({ options: { data: { type: 'string' }, repo: { type: 'string', default: resolve(dirname(fileURLToPath(import.meta.url)), '..') } } });
const repoRoot = resolve(options.repo);
const dataDir = resolve(options.data ?? join(repoRoot, 'data'));

/** The dictionary, and the words of mail headers and addresses that every message system writes. */
const PLAIN_WORDS = new Set([...createRequire(import.meta.url)('an-array-of-english-words'), ...['multipart', 'mime', 'charset', 'utf', 'ascii', 'iso', 'base64', '7bit', '8bit', 'http', 'https', 'www', 'com', 'org', 'net', 'html', 'cc', 'bcc', 'fw', 'fwd', 'pm']]);
const normalise = (text) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ');
/** Ten-digit or Malaysian phone numbers, once punctuation is a space: "312 555 0187", "03 1234 5678". */
const PHONE = /(?<!\p{N})\p{N}{2,4} \p{N}{3,4} ?\p{N}{4}(?!\p{N})/gu;
/** Plain vocabulary: dictionary and mail words, initials, and numbers short enough to be a price, a date part or a quantity. */
const isPlain = (token) => (/^\p{N}+$/u.test(token) ? token.length <= 4 : token.length === 1 || PLAIN_WORDS.has(token));

/** The spans of a normalised stream that are not plain vocabulary, in order, overlapping ones merged. */
function distinctiveSpans(stream) {
  const spans = [...stream.matchAll(/[\p{L}\p{N}]+/gu)].filter((match) => !isPlain(match[0])).concat([...stream.matchAll(PHONE)]);
  const merged = [];
  for (const [start, end] of spans.map((match) => [match.index, match.index + match[0].length]).sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/**
 * For each window start of a stream, whether the window holds a distinctive span whole or
 * lies inside one; a window that only clips one at its edge ("… boundary ne") is plain.
 */
function distinctiveWindows(stream) {
  const spans = distinctiveSpans(stream);
  const distinctive = new Uint8Array(Math.max(0, stream.length - SHORT_RUN + 1));
  let next = 0; // the first span starting at or after the window
  for (let start = 0; start < distinctive.length; start++) {
    while (next < spans.length && spans[next][0] < start) next++;
    const holds = next < spans.length && spans[next][1] <= start + SHORT_RUN;
    const within = next > 0 && spans[next - 1][1] >= start + SHORT_RUN;
    distinctive[start] = holds || within ? 1 : 0;
  }
  return distinctive;
}

const listFiles = (dir, extension) => (existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(extension)).sort() : []);

/** Each evaluation document as its files and their text: one receipt (box + key), one email (message + annotation). */
function* evaluationDocuments() {
  const sroie = join(dataDir, 'sroie-train');
  const ids = new Set([...listFiles(join(sroie, 'box'), '.txt').map((name) => name.slice(0, -4)), ...listFiles(join(sroie, 'key'), '.json').map((name) => name.slice(0, -5))]);
  for (const id of [...ids].sort()) {
    const files = [];
    const box = join(sroie, 'box', `${id}.txt`);
    // `x1,y1,…,y4,TEXT`: the text is what follows the eighth comma.
    if (existsSync(box)) files.push({ file: box, text: readFileSync(box, 'utf8').split('\n').map((row) => row.split(',').slice(8).join(',')).join('\n') });
    const key = join(sroie, 'key', `${id}.json`);
    if (existsSync(key)) files.push({ file: key, text: Object.values(JSON.parse(readFileSync(key, 'utf8'))).join('\n') });
    yield files;
  }
  const enron = join(dataDir, 'enron-signatures');
  for (const name of listFiles(enron, '.txt')) {
    const files = [{ file: join(enron, name), text: readFileSync(join(enron, name), 'utf8') }];
    const annotation = join(enron, `${name}.ann`);
    if (existsSync(annotation)) files.push({ file: annotation, text: (JSON.parse(readFileSync(annotation, 'utf8')).denotations ?? []).map((denotation) => denotation.text).join('\n') });
    yield files;
  }
}

/**
 * Every SHORT_RUN-character window of the data that is in fewer than COMMON_IN documents,
 * mapped to (the data file it was first read from) * 2 + (1 if it touches a distinctive token).
 */
function indexData() {
  const sources = [];
  const windows = new Map();
  const documentCount = new Map();
  for (const files of evaluationDocuments()) {
    const inThisDocument = new Set();
    for (const { file, text } of files) {
      const source = sources.push(file.slice(dataDir.length + 1)) - 1;
      const stream = normalise(text);
      const distinctive = distinctiveWindows(stream);
      for (let start = 0; start + SHORT_RUN <= stream.length; start++) {
        const window = stream.slice(start, start + SHORT_RUN);
        if (inThisDocument.has(window)) continue;
        inThisDocument.add(window);
        if (windows.has(window)) documentCount.set(window, (documentCount.get(window) ?? 1) + 1);
        else windows.set(window, source * 2 + distinctive[start]);
      }
    }
  }
  for (const [window, documents] of documentCount) if (documents >= COMMON_IN) windows.delete(window);
  return { sources, windows };
}

function trackedFiles() {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return listed.split('\0').filter((path) => path !== '' && !path.endsWith('package-lock.json') && !NOT_TEXT.test(path));
}

/** A source file as one normalised stream (its `\n`-style escapes read as breaks), with the offset each line starts at. */
function fileStream(content) {
  let stream = '';
  const lineStarts = [];
  for (const line of content.split('\n')) {
    lineStarts.push(stream.length);
    stream += `${normalise(line.replace(/\\[nrt]/g, ' '))} `;
  }
  return { stream, lineAt: (offset) => lineStarts.findLastIndex((start) => start <= offset) + 1 };
}

/** The runs of a stream made of data windows back to back that are long or distinctive enough to be a leak. */
function* leaksIn(stream, windows) {
  for (let start = 0; start + SHORT_RUN <= stream.length; start++) {
    const first = windows.get(stream.slice(start, start + SHORT_RUN));
    if (first === undefined) continue;
    let distinctive = first % 2 === 1;
    let end = start + SHORT_RUN;
    for (let next; end < stream.length && (next = windows.get(stream.slice(end - SHORT_RUN + 1, end + 1))) !== undefined; end++) distinctive ||= next % 2 === 1;
    const text = stream.slice(start, end).trim();
    if (distinctive || text.length >= LONG_RUN) yield { start, text, source: Math.floor(first / 2) };
    start = end - SHORT_RUN;
  }
}

if (!existsSync(dataDir)) {
  console.error(`check-data-leaks: no evaluation data at ${dataDir} (pass --data <dir>); nothing was checked`);
  process.exit(2);
}
const { sources, windows } = indexData();
const missing = ['sroie-train/', 'enron-signatures/'].filter((folder) => !sources.some((source) => source.startsWith(folder)));
if (missing.length > 0) {
  console.error(`check-data-leaks: no documents in ${missing.map((folder) => join(dataDir, folder)).join(', ')}; nothing was checked`);
  process.exit(2);
}

let leaks = 0;
const files = trackedFiles();
for (const path of files) {
  const content = readFileSync(join(repoRoot, path));
  if (content.includes(0)) continue; // binary
  const { stream, lineAt } = fileStream(content.toString('utf8'));
  for (const leak of leaksIn(stream, windows)) {
    leaks++;
    console.log(`${path}:${lineAt(leak.start)}: "${leak.text}" from ${sources[leak.source]}`);
  }
}
console.log(`check-data-leaks: ${files.length} files against ${windows.size} strings of ${sources.length} data files: ${leaks === 0 ? 'no leak' : `${leaks} leaks of evaluation data`}`);
process.exit(leaks === 0 ? 0 : 1);
