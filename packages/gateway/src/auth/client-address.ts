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

/**
 * Whether the client is on this machine: a loopback peer that did not come through a proxy.
 * A proxy on the same host makes every client's socket look local, so a forwarded request
 * never counts as local (a proxy that strips these headers is the operator's to configure).
 */
export function isLocalClient(request: FastifyRequest): boolean {
  if (PROXY_HEADERS.some((header) => request.headers[header] !== undefined)) return false;
  return isLoopbackAddress(request.socket.remoteAddress);
}
