import type { CreateRunRequest } from '@unfold/protocol';

/** What the server takes in a request body; a file over it is refused here, before the upload. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

export class InputError extends Error {
  override readonly name = 'InputError';
}

function base64(bytes: ArrayBuffer): string {
  const view = new Uint8Array(bytes);
  let binary = '';
  for (let offset = 0; offset < view.length; offset += 0x8000) binary += String.fromCharCode(...view.subarray(offset, offset + 0x8000));
  return btoa(binary);
}

function isImage(bytes: Uint8Array): boolean {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  return png || jpeg;
}

/**
 * A dropped or picked file as a run: a JPEG/PNG or an OCR-words JSON is a receipt, an
 * `.eml` or text file is an email. Anything else is refused with a reason.
 */
export async function runFromFile(file: File): Promise<CreateRunRequest> {
  if (file.size === 0) throw new InputError(`${file.name} is empty.`);
  if (file.size > MAX_UPLOAD_BYTES) throw new InputError(`${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);
  const bytes = await file.arrayBuffer();
  const head = new Uint8Array(bytes.slice(0, 4));
  if (isImage(head)) return { pipeline: 'receipt', input: { image_base64: base64(bytes) } };
  if (/^image\//.test(file.type)) throw new InputError(`${file.name} is an image the server cannot read: use a JPEG or PNG photo.`);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (/\.json$/i.test(file.name) || file.type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InputError(`${file.name} is not valid JSON.`);
    }
    const words = Array.isArray(parsed) ? parsed : (parsed as { words?: unknown }).words;
    if (!Array.isArray(words)) throw new InputError(`${file.name} is JSON but not OCR words: expected {"words": [...]} or an array of words.`);
    return { pipeline: 'receipt', input: { words } };
  }
  if (/\.(eml|txt)$/i.test(file.name) || /^(message\/rfc822|text\/)/.test(file.type)) return runFromEmailText(text);
  throw new InputError(`${file.name} is neither a receipt (JPEG, PNG, words JSON) nor an email (.eml, .txt).`);
}

/** Pasted text as an email run: a raw message when it has headers, else a body. */
export function runFromEmailText(text: string): CreateRunRequest {
  if (text.trim() === '') throw new InputError('The email is empty.');
  const hasHeaders = /^(from|subject|to|date|received|message-id|mime-version):/im.test(text.split(/\r?\n\r?\n/)[0] ?? '');
  return { pipeline: 'email', input: hasHeaders ? { raw: text } : { body: text } };
}

/** Typed JSON as a run of any pipeline: the server checks it against the pipeline's input schema. */
export function runFromJson(pipeline: string, text: string): CreateRunRequest {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new InputError(`The input is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InputError('The input must be a JSON object, { … }.');
  return { pipeline, input: input as Record<string, unknown> };
}
