import { readFile } from 'node:fs/promises';
import { UnfoldError } from '@unfold/protocol';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The run input from a file or standard input (`-`). JSON is the input itself, for any
 * pipeline (a user's own ones take only JSON, whatever the file is named); for the
 * receipt pipeline a JPEG/PNG or an http(s) URL is the image, a JSON array its OCR words
 * and a `.txt` file an SROIE box file; for the email pipeline an `.eml` or `.txt` file is
 * the raw message.
 */
export async function readRunInput(pipeline: string, file: string | undefined): Promise<Record<string, unknown>> {
  if (file === undefined) return {};
  if (pipeline === 'receipt' && /^https?:\/\//i.test(file)) return { image_url: file };
  if (pipeline === 'receipt' && /\.(jpe?g|png)$/i.test(file)) return { image_base64: (await readFile(file)).toString('base64') };
  const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  if (pipeline === 'receipt' && file.toLowerCase().endsWith('.txt')) return { sroie_boxes: text };
  if (pipeline === 'email' && /\.(eml|txt)$/i.test(file)) return { raw: text };
  const parsed = parseJsonObject(text, file, pipeline === 'receipt');
  return Array.isArray(parsed) ? { words: parsed } : parsed;
}

function parseJsonObject(text: string, file: string, allowArray: boolean): Record<string, unknown> | unknown[] {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UnfoldError('invalid_json', `${file === '-' ? 'standard input' : file} is not JSON: ${(error as Error).message}`);
  }
  if (allowArray && Array.isArray(parsed)) return parsed;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UnfoldError('invalid_input', 'the input must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
