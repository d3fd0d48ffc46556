import dc from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { UnfoldError } from '@unfold/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGuardedFetch, MAX_REDIRECTS, type GuardedFetch, type GuardedFetchOptions, type UrlRefusal } from './guarded-fetch.js';

/** A server on loopback that counts what reaches it: a refused fetch must leave it at 0. */
interface Listener {
  port: number;
  requests: string[];
  respond: (request: IncomingMessage, response: ServerResponse) => void;
  server: Server;
}

async function listen(): Promise<Listener> {
  const listener: Listener = { port: 0, requests: [], respond: (_request, response) => response.end('secret internal answer'), server: createServer() };
  listener.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    listener.requests.push(request.url ?? '');
    listener.respond(request, response);
  });
  await new Promise<void>((resolve) => listener.server.listen(0, '127.0.0.1', resolve));
  listener.port = (listener.server.address() as AddressInfo).port;
  return listener;
}

let target: Listener;
let other: Listener;
const fetchers: GuardedFetch[] = [];
const refusals: UrlRefusal[] = [];

function guarded(options: GuardedFetchOptions = {}): GuardedFetch {
  const fetcher = createGuardedFetch({ onRefused: (refusal) => refusals.push(refusal), ...options });
  fetchers.push(fetcher);
  return fetcher;
}

const signal = () => AbortSignal.timeout(5_000);

async function failure(promise: Promise<unknown>): Promise<UnfoldError> {
  const error: unknown = await promise.then(
    () => new Error('the fetch was not refused'),
    (caught: unknown) => caught,
  );
  if (!UnfoldError.isInstance(error)) throw error;
  return error;
}

beforeAll(async () => {
  [target, other] = await Promise.all([listen(), listen()]);
});
afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((fetcher) => fetcher.close()));
  for (const listener of [target, other]) {
    listener.requests.length = 0;
    listener.respond = (_request, response) => response.end('secret internal answer');
  }
  refusals.length = 0;
});
afterAll(async () => {
  await Promise.all([target, other].map((listener) => new Promise((resolve) => listener.server.close(resolve))));
});

describe('URL spellings', () => {
  it('are normalised by the WHATWG parser to the address they mean, before any check', () => {
    expect(new URL('http://2130706433/').hostname).toBe('127.0.0.1');
    expect(new URL('http://0177.0.0.1/').hostname).toBe('127.0.0.1');
    expect(new URL('http://0x7f.1/').hostname).toBe('127.0.0.1');
    expect(new URL('http://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
  });
});

describe('createGuardedFetch refuses', () => {
  it.each([
    ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}/`],
    ['[::1]', (port: number) => `http://[::1]:${port}/`],
    ['0.0.0.0', (port: number) => `http://0.0.0.0:${port}/`],
    ['an IPv4-mapped IPv6 loopback', (port: number) => `http://[::ffff:127.0.0.1]:${port}/`],
    ['a decimal spelling of loopback', (port: number) => `http://2130706433:${port}/`],
    ['an octal spelling of loopback', (port: number) => `http://0177.0.0.1:${port}/`],
    ['the metadata address', (port: number) => `http://169.254.169.254:${port}/latest/meta-data/`],
  ])('%s without connecting, with url_not_allowed', async (_name, url) => {
    const error = await failure(guarded().fetch(url(target.port), { signal: signal(), requester: 'run-1' }));
    expect(error).toMatchObject({ code: 'url_not_allowed', transient: false });
    expect(target.requests).toHaveLength(0);
    expect(refusals).toEqual([expect.objectContaining({ url: url(target.port), requester: 'run-1' })]);
  });

  it('a host name that resolves to loopback, and one with any private address among public ones', async () => {
    const resolve = vi.fn(async (hostname: string) =>
      hostname === 'images.example' ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.5', family: 4 }],
    );
    const fetcher = guarded({ resolve });
    expect(await failure(fetcher.fetch(`http://images.example:${target.port}/r.png`, { signal: signal() }))).toMatchObject({ code: 'url_not_allowed' });
    expect(await failure(fetcher.fetch(`http://mixed.example:${target.port}/r.png`, { signal: signal() }))).toMatchObject({ code: 'url_not_allowed' });
    expect(target.requests).toHaveLength(0);
    expect(refusals.map((refusal) => refusal.reason)).toEqual(['images.example resolves to 127.0.0.1 is loopback', 'mixed.example resolves to 10.0.0.5 is private']);
  });

  it('localhost through the real resolver', async () => {
    expect(await failure(guarded().fetch(`http://localhost:${target.port}/`, { signal: signal() }))).toMatchObject({ code: 'url_not_allowed' });
    expect(target.requests).toHaveLength(0);
  });

  it('with the same message whether anything listens at the address or not', async () => {
    const closed = await listen();
    await new Promise((resolve) => closed.server.close(resolve));
    const listening = await failure(guarded().fetch(`http://127.0.0.1:${target.port}/`, { signal: signal() }));
    const nothing = await failure(guarded().fetch(`http://127.0.0.1:${closed.port}/`, { signal: signal() }));
    expect(nothing.message).toBe(listening.message);
    expect(listening.message).not.toMatch(/127\.0\.0\.1|loopback|refused|secret/);
  });

  it('a scheme other than http(s)', async () => {
    expect(await failure(guarded({ allowPrivate: true }).fetch('file:///etc/passwd', { signal: signal() }))).toMatchObject({ code: 'url_not_allowed' });
    expect(refusals[0]?.reason).toBe('file: is not http or https');
  });
});

describe('DNS that changes between lookups (rebinding)', () => {
  it('is resolved once: the connection goes to the address that was checked, never to the later loopback answer', async () => {
    const answers = [[{ address: '93.184.215.14', family: 4 }]];
    const resolve = vi.fn(async () => answers.shift() ?? [{ address: '127.0.0.1', family: 4 }]);
    const attempts: string[] = [];
    const controller = new AbortController();
    // Every TCP client socket the process opens: record where the fetch's socket really connects.
    const onSocket = (message: unknown): void => {
      (message as { socket: Socket }).socket.on('connectionAttempt', (address: string) => {
        attempts.push(address);
        controller.abort(new UnfoldError('cancelled', 'seen enough'));
      });
    };
    dc.subscribe('net.client.socket', onSocket);
    try {
      await guarded({ resolve })
        .fetch(`http://rebind.example:${target.port}/`, { signal: controller.signal })
        .catch(() => undefined);
    } finally {
      dc.unsubscribe('net.client.socket', onSocket);
    }
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(attempts).toEqual(['93.184.215.14']);
    expect(target.requests).toHaveLength(0);
  });
});

describe('configured exceptions', () => {
  it('fetch from an allowed host (case-insensitive) that resolves to loopback, marked exempt', async () => {
    const { response, exempt } = await guarded({ allowedHosts: ['LocalHost'] }).fetch(`http://localhost:${target.port}/r.png`, { signal: signal() });
    expect(await response.text()).toBe('secret internal answer');
    expect(exempt).toBe(true);
    expect(target.requests).toEqual(['/r.png']);
  });

  it('do not extend to other hosts on the same address', async () => {
    expect(await failure(guarded({ allowedHosts: ['localhost'] }).fetch(`http://127.0.0.1:${target.port}/`, { signal: signal() }))).toMatchObject({ code: 'url_not_allowed' });
    expect(target.requests).toHaveLength(0);
  });

  it('allowPrivate fetches any address', async () => {
    const { response, exempt } = await guarded({ allowPrivate: true }).fetch(`http://127.0.0.1:${target.port}/`, { signal: signal() });
    expect(response.status).toBe(200);
    expect(exempt).toBe(true);
    await response.body?.cancel();
  });
});

describe('failures that are not refusals', () => {
  it('a name with no address, or none the system resolver knows, is invalid_input like any unreachable host', async () => {
    const empty = await failure(guarded({ resolve: async () => [] }).fetch('http://nothing.example/', { signal: signal() }));
    expect(empty).toMatchObject({ code: 'invalid_input', message: 'the URL could not be fetched' });
    const unknown = await failure(guarded().fetch('http://unfold-no-such-host.invalid/', { signal: signal() }));
    expect(unknown).toMatchObject({ code: 'invalid_input', message: 'the URL could not be fetched' });
    expect(refusals).toHaveLength(0);
  });

  it('what is not a URL is invalid_input', async () => {
    expect(await failure(guarded().fetch('not a url', { signal: signal() }))).toMatchObject({ code: 'invalid_input', message: 'not a URL' });
  });

  it('a fetch stopped by its signal rejects with the signal\'s reason', async () => {
    target.respond = () => undefined;
    const controller = new AbortController();
    const pending = guarded({ allowPrivate: true }).fetch(`http://127.0.0.1:${target.port}/slow`, { signal: controller.signal });
    await vi.waitFor(() => expect(target.requests).toEqual(['/slow']));
    controller.abort(new UnfoldError('tool_timeout', 'too slow'));
    expect(await failure(pending)).toMatchObject({ code: 'tool_timeout', message: 'too slow' });
  });

  it('a host that cannot be reached is invalid_input, transient, saying nothing of why', async () => {
    const closed = await listen();
    await new Promise((resolve) => closed.server.close(resolve));
    const error = await failure(guarded({ allowPrivate: true }).fetch(`http://127.0.0.1:${closed.port}/`, { signal: signal() }));
    expect(error).toMatchObject({ code: 'invalid_input', transient: true, message: 'the URL could not be fetched' });
  });
});

describe('redirects', () => {
  const redirect = (location: (request: IncomingMessage) => string) => (request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(302, { location: location(request) }).end();
  };

  it('are followed by hand, each hop checked again: an allowed host redirecting to loopback is refused there', async () => {
    target.respond = redirect(() => `http://127.0.0.1:${other.port}/internal`);
    const error = await failure(guarded({ allowedHosts: ['localhost'] }).fetch(`http://localhost:${target.port}/r.png`, { signal: signal(), requester: 'run-2' }));
    expect(error).toMatchObject({ code: 'url_not_allowed' });
    expect(target.requests).toEqual(['/r.png']);
    expect(other.requests).toHaveLength(0);
    expect(refusals).toEqual([{ url: `http://localhost:${target.port}/r.png`, target: `http://127.0.0.1:${other.port}/internal`, reason: '127.0.0.1 is loopback', requester: 'run-2' }]);
  });

  it('to another scheme are refused', async () => {
    target.respond = redirect(() => 'file:///etc/passwd');
    expect(await failure(guarded({ allowedHosts: ['localhost'] }).fetch(`http://localhost:${target.port}/`, { signal: signal() }))).toMatchObject({ code: 'url_not_allowed' });
  });

  it(`are followed up to ${MAX_REDIRECTS} hops (relative locations too), and no further`, async () => {
    target.respond = (request, response) => {
      const hop = Number(request.url?.slice(1));
      if (hop < 4) response.writeHead(hop % 2 ? 301 : 307, { location: `/${hop + 1}` }).end();
      else response.end('arrived');
    };
    const fetcher = guarded({ allowedHosts: ['localhost'] });
    const { response } = await fetcher.fetch(`http://localhost:${target.port}/1`, { signal: signal() });
    expect(await response.text()).toBe('arrived');
    expect(target.requests).toEqual(['/1', '/2', '/3', '/4']);
    target.requests.length = 0;
    const error = await failure(fetcher.fetch(`http://localhost:${target.port}/0`, { signal: signal() }));
    expect(error).toMatchObject({ code: 'invalid_input', message: `the URL redirected more than ${MAX_REDIRECTS} times` });
    expect(target.requests).toEqual(['/0', '/1', '/2', '/3']);
  });

  it('to something that is not a URL are invalid_input', async () => {
    target.respond = redirect(() => 'http://[not-an-address/');
    expect(await failure(guarded({ allowPrivate: true }).fetch(`http://127.0.0.1:${target.port}/`, { signal: signal() }))).toMatchObject({ code: 'invalid_input' });
  });
});
