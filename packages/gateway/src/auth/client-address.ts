import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/** Whether an address (a socket's peer, or a host to bind) is this machine's loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.replace(/^\[(.*)\]$/, '$1').replace(/^::ffff:/i, '');
  if (plain === 'localhost' || plain === '::1') return true;
  return isIP(plain) === 4 && plain.startsWith('127.');
}

/** Headers a reverse proxy adds: a request carrying them came from elsewhere, whatever its socket says. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

/** The host name of a `Host` header (`name:port`, `[v6]:port`), without the port. */
export function hostNameOf(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1) || undefined;
  return host.split(':')[0];
}

/**
 * Whether the client is on this machine: a loopback peer that did not come through a proxy,
 * asking for this machine by a loopback name. A proxy on the same host makes every client's
 * socket look local, so a forwarded request never counts as local (a proxy that strips these
 * headers is the operator's to configure). A browser on this machine can be made to send a
 * page's requests here by a name that an attacker's DNS points at 127.0.0.1 (DNS rebinding):
 * those carry the attacker's name in `Host`, so they are not local either.
 */
export function isLocalClient(request: FastifyRequest): boolean {
  if (PROXY_HEADERS.some((header) => request.headers[header] !== undefined)) return false;
  return isLoopbackAddress(request.socket.remoteAddress) && isLoopbackAddress(hostNameOf(request.headers.host));
}
