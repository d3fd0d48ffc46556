import { withDeadline } from '@unfold/engine';
import { UnfoldError } from '@unfold/protocol';
import type { GuardedFetch } from '../fetch/guarded-fetch.js';
import { MAX_IMAGE_BYTES } from './receipt-image.js';

const DOWNLOAD_TIMEOUT_MS = 15_000;

/** What an image may be served as; anything else (an HTML error page, JSON) is not a receipt. */
const isImageType = (contentType: string | null): boolean => contentType !== null && /^(image\/[\w.+-]+|application\/octet-stream)\s*(;|$)/i.test(contentType);

/**
 * Fetches a receipt image from the caller's URL through the guarded fetch, within the image
 * size limit and a timeout. Messages never repeat what the host answered beyond a public
 * host's status: an internal host let through by configuration is not to be mapped from outside.
 */
export async function downloadImage(fetcher: GuardedFetch, url: string, signal: AbortSignal, requester: string): Promise<Buffer> {
  const deadline = withDeadline(signal, DOWNLOAD_TIMEOUT_MS, () => new UnfoldError('tool_timeout', `fetching the image URL took longer than ${DOWNLOAD_TIMEOUT_MS} ms`, { transient: true }));
  try {
    const { response, exempt } = await fetcher.fetch(url, { signal: deadline.signal, requester });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new UnfoldError('invalid_input', exempt ? 'the image URL could not be fetched' : `the image URL answered HTTP ${response.status}`, { transient: response.status >= 500 });
    }
    if (!isImageType(response.headers.get('content-type'))) {
      await response.body.cancel();
      throw new UnfoldError('invalid_input', 'the image URL did not answer with an image');
    }
    return await readLimited(response.body);
  } finally {
    deadline.dispose();
  }
}

/** Leaving the loop (the throw) cancels the body: nothing past the limit is read. */
async function readLimited(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_IMAGE_BYTES) throw new UnfoldError('image_too_large', `the image at the URL is over ${MAX_IMAGE_BYTES} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
