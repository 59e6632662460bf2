/**
 * Refuses to serve the API on a non-loopback address without a token: anyone who can reach the
 * port could otherwise create, delete and reset agents. The server wiring calls
 * `assertSafeListen({ host, token })` before `listen`. Loopback means `localhost`, 127.0.0.0/8,
 * `::1` and `::ffff:127.x.x.x`; no host (Node then binds every interface), `0.0.0.0` and `::` are
 * not loopback. A blank token counts as none.
 */
import { isIP } from 'node:net';
import { PlasticdError } from '../util/errors.ts';

export interface ListenTarget {
  /** The host/address given to `server.listen`; undefined or '' means every interface. */
  host?: string;
  port?: number;
  /** The API token, if configured. */
  token?: string;
}

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  let address = host.trim().toLowerCase();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (address === '') return false;
  if (address === 'localhost' || address.endsWith('.localhost')) return true;
  const family = isIP(address);
  if (family === 4) return address.split('.')[0] === '127';
  if (family === 6) {
    if (address === '::1' || address === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
    return mapped !== null && mapped[1].split('.')[0] === '127';
  }
  return false;
}

export function hasToken(token: string | undefined): token is string {
  return token !== undefined && token.trim() !== '';
}

/** Throws PlasticdError('insecure_listen') when `host` is reachable from other machines and no token is set. */
export function assertSafeListen(target: ListenTarget): void {
  if (hasToken(target.token) || isLoopbackHost(target.host)) return;
  const where = target.host === undefined || target.host.trim() === '' ? 'every interface (no host given)' : `'${target.host}'`;
  throw new PlasticdError(
    'insecure_listen',
    `Refusing to listen on ${where}${target.port === undefined ? '' : ` port ${target.port}`} without an API token: ` +
      'anyone who can reach it could create, change and delete agents. Set a token (PLASTICD_TOKEN / --token) ' +
      'or listen on a loopback address such as 127.0.0.1.',
  );
}
