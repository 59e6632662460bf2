/**
 * Token check and raw HTTP rejection for websocket upgrades. Upgrades bypass express, so the feed
 * authenticates here (ecosystem.md §6). Browsers cannot set headers on a websocket, so the token
 * may also come as `?token=`. Comparison is constant-time over SHA-256 digests (equal lengths).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export function isAuthorized(request: IncomingMessage, url: URL, token: string): boolean {
  const header = request.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] : undefined;
  const candidate = bearer ?? url.searchParams.get('token') ?? undefined;
  return candidate !== undefined && sameSecret(candidate, token);
}

function sameSecret(candidate: string, token: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(candidate), digest(token));
}

/** Answers the upgrade request with a plain HTTP error and closes the socket once it is written. */
export function rejectUpgrade(socket: Duplex, status: number, statusText: string, body: string): void {
  if (!socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  const headers = [
    `HTTP/1.1 ${status} ${statusText || STATUS_CODES[status] || ''}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  if (status === 401) headers.push('WWW-Authenticate: Bearer realm="plasticd feed"');
  socket.once('finish', () => socket.destroy());
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
