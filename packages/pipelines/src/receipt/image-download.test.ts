import { ReadableStream } from 'node:stream/web';
import { UnfoldError } from '@unfold/protocol';
import { Response } from 'undici';
import { describe, expect, it, vi } from 'vitest';
import type { GuardedFetch } from '../fetch/guarded-fetch.js';
import { downloadImage } from './image-download.js';
import { MAX_IMAGE_BYTES } from './receipt-image.js';

/** A fetcher that answers every URL with one response, as a public host (or, exempt, an internal one let through by configuration). */
const answering = (response: () => Response, exempt = false): GuardedFetch => ({
  fetch: async () => ({ response: response(), exempt }),
  close: async () => undefined,
});

const download = (fetcher: GuardedFetch) => downloadImage(fetcher, 'https://images.example/r.png', AbortSignal.timeout(5_000), 'run-1');

async function failure(promise: Promise<unknown>): Promise<UnfoldError> {
  const error: unknown = await promise.then(
    () => new Error('the download did not fail'),
    (caught: unknown) => caught,
  );
  if (!UnfoldError.isInstance(error)) throw error;
  return error;
}

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

describe('downloadImage', () => {
  it.each(['image/png', 'image/jpeg; charset=binary', 'application/octet-stream'])('reads an answer of type %s', async (type) => {
    expect(await download(answering(() => new Response(png, { headers: { 'content-type': type } })))).toEqual(png);
  });

  it.each([
    ['an HTML page', 'text/html; charset=utf-8'],
    ['JSON', 'application/json'],
    ['no type at all', undefined],
  ])('refuses %s with invalid_input, without repeating it', async (_name, type) => {
    const body = Buffer.from('<html>internal dashboard</html>');
    const error = await failure(download(answering(() => new Response(body, { headers: type ? { 'content-type': type } : {} }))));
    expect(error).toMatchObject({ code: 'invalid_input', message: 'the image URL did not answer with an image' });
  });

  it("says a public host's status, transient for a 5xx", async () => {
    expect(await failure(download(answering(() => new Response('gone', { status: 404 }))))).toMatchObject({ code: 'invalid_input', message: 'the image URL answered HTTP 404', transient: false });
    expect(await failure(download(answering(() => new Response('down', { status: 503 }))))).toMatchObject({ code: 'invalid_input', transient: true });
  });

  it('says nothing of what an internal host answered', async () => {
    const error = await failure(download(answering(() => new Response('redis says hello', { status: 401 }), true)));
    expect(error).toMatchObject({ code: 'invalid_input', message: 'the image URL could not be fetched' });
  });

  it('stops reading past the image size limit with image_too_large', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024 * 1024));
      },
    });
    const error = await failure(download(answering(() => new Response(endless, { headers: { 'content-type': 'image/png' } }))));
    expect(error).toMatchObject({ code: 'image_too_large' });
    expect(pulled * 1024 * 1024).toBeLessThan(MAX_IMAGE_BYTES + 4 * 1024 * 1024);
  });

  it('gives up after its deadline with tool_timeout, and a cancel with the cancel', async () => {
    const hanging: GuardedFetch = {
      fetch: async (_url, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
      close: async () => undefined,
    };
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const late = downloadImage(hanging, 'https://images.example/r.png', new AbortController().signal, 'run-1');
      vi.advanceTimersByTime(15_000);
      expect(await failure(late)).toMatchObject({ code: 'tool_timeout', transient: true });
    } finally {
      vi.useRealTimers();
    }
    const cancel = new AbortController();
    const pending = downloadImage(hanging, 'https://images.example/r.png', cancel.signal, 'run-1');
    cancel.abort(new UnfoldError('cancelled', 'cancelled by the caller'));
    expect(await failure(pending)).toMatchObject({ code: 'cancelled' });
  });
});
