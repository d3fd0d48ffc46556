import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { UnfoldError } from '@unfold/protocol';
import { Agent, fetch, type Response } from 'undici';
import { refusedAddressReason } from './address-policy.js';

/** Hops a caller's URL may redirect through before the fetch gives up. */
export const MAX_REDIRECTS = 3;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** One message for every refusal, so a caller learns nothing about what is or is not there. */
const REFUSED_MESSAGE = 'the URL is not allowed: the server fetches only public http(s) addresses';

/** Resolves a host name to every address it has, as `dns.lookup(host, { all: true })` does. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

/** A refused fetch, for the audit log: what was asked, which hop was refused and why. */
export interface UrlRefusal {
  /** The URL the caller gave. */
  url: string;
  /** The URL that was refused: the caller's, or a redirect's target. */
  target: string;
  reason: string;
  /** Who asked (a run's key), as the fetch was told. */
  requester: string | undefined;
}

export interface GuardedFetchOptions {
  /** Fetch from any address, private ones included: a deployment that fetches from its own network. */
  allowPrivate?: boolean;
  /** Host names (exact, case-insensitive) whose addresses are not checked: an internal image store. */
  allowedHosts?: readonly string[];
  /** Called once for each refusal, before the fetch rejects with `url_not_allowed`. */
  onRefused?: (refusal: UrlRefusal) => void;
  /** DNS; tests answer for it. */
  resolve?: Resolve;
}

export interface GuardedResponse {
  response: Response;
  /**
   * Whether the final hop's host was let past the address check by configuration: it may be
   * an internal service, whose answers (status, body) a caller must not be told.
   */
  exempt: boolean;
}

export interface GuardedFetch {
  /** GETs a caller's URL; refusals reject with `url_not_allowed`, network failures with `invalid_input` (transient). */
  fetch(url: string, options: { signal: AbortSignal; requester?: string }): Promise<GuardedResponse>;
  /** Closes the connections it keeps. */
  close(): Promise<void>;
}

class Refused extends Error {
  constructor(readonly reason: string) {
    super(REFUSED_MESSAGE);
  }
}

const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/** URL host names put IPv6 addresses in brackets; addresses and lookups do not. */
const bare = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');

function firstRefused(addresses: readonly LookupAddress[]): string | undefined {
  for (const { address } of addresses) {
    const reason = refusedAddressReason(address);
    if (reason) return reason;
  }
  return undefined;
}

/**
 * The connection's own DNS lookup, checked: the host is resolved once, every address it has
 * is judged, and the socket connects to exactly the addresses judged. A host whose answer
 * changes between lookups (DNS rebinding) cannot pass one address to the check and another
 * to the connection, because there is no second lookup.
 */
function guardedLookup(resolve: Resolve, exempt: (hostname: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const addresses = options.family === 4 || options.family === 6 ? found.filter((entry) => entry.family === options.family) : found;
        const first = addresses[0];
        if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        const refused = exempt(hostname) ? undefined : firstRefused(addresses);
        if (refused) return callback(new Refused(`${hostname} resolves to ${refused}`), '', 0);
        // `all` is asked by Node's happy-eyeballs connect (autoSelectFamily), the default.
        if (options.all) (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

function parseUrl(url: string, base?: URL): URL {
  if (!URL.canParse(url, base)) throw new UnfoldError('invalid_input', base ? 'the URL redirected to something that is not a URL' : 'not a URL');
  return new URL(url, base);
}

function refusalIn(error: unknown): Refused | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) if (cause instanceof Refused) return cause;
  return undefined;
}

/**
 * The one way to fetch a URL a caller supplied (a receipt's `image_url`; any later webhook or
 * callback URL): http and https only, every address checked (refusedAddressReason) on the
 * connection that uses it, redirects followed by hand at most MAX_REDIRECTS times with each
 * hop checked again. What the server itself is configured to call (the model endpoint, Zoho,
 * OTLP) does not go through here.
 */
export function createGuardedFetch(options: GuardedFetchOptions = {}): GuardedFetch {
  const allowedHosts = new Set((options.allowedHosts ?? []).map((host) => host.toLowerCase()));
  const exempt = (hostname: string): boolean => options.allowPrivate === true || allowedHosts.has(bare(hostname).toLowerCase());
  const agent = new Agent({ connect: { lookup: guardedLookup(options.resolve ?? systemResolve, exempt) } });

  /** The checks that need no connection: the scheme, and a host that is an address already (never looked up). */
  const check = (target: URL): void => {
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Refused(`${target.protocol} is not http or https`);
    const host = bare(target.hostname);
    const reason = isIP(host) && !exempt(host) ? refusedAddressReason(host) : undefined;
    if (reason) throw new Refused(reason);
  };

  const get = async (target: URL, signal: AbortSignal): Promise<Response> => {
    check(target);
    try {
      return await fetch(target, { signal, redirect: 'manual', dispatcher: agent });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw refusalIn(error) ?? new UnfoldError('invalid_input', 'the URL could not be fetched', { transient: true });
    }
  };

  return {
    async fetch(url, { signal, requester }) {
      let target = parseUrl(url);
      try {
        for (let hop = 0; ; hop += 1) {
          const response = await get(target, signal);
          const location = response.headers.get('location');
          if (!REDIRECT_STATUSES.has(response.status) || location === null) return { response, exempt: exempt(target.hostname) };
          await response.body?.cancel();
          if (hop === MAX_REDIRECTS) throw new UnfoldError('invalid_input', `the URL redirected more than ${MAX_REDIRECTS} times`);
          target = parseUrl(location, target);
        }
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        options.onRefused?.({ url, target: target.href, reason: error.reason, requester });
        throw new UnfoldError('url_not_allowed', REFUSED_MESSAGE);
      }
    },
    close: () => agent.close(),
  };
}
