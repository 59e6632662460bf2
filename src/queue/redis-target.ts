/**
 * Where the queue lives: a `redis://[user:password@]host[:port][/db][?prefix=name]` (or `rediss://` for
 * TLS) URL turned into the connection options BullMQ passes to ioredis, and a fail-fast reachability
 * check, so a mistyped address is one clear error instead of a worker retrying forever in silence.
 */
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { PlasticdError } from '../util/errors.ts';

export interface RedisTarget {
  /** The URL as given, without its password (for logs and reports). */
  display: string;
  connection: RedisOptions;
  /** BullMQ's key prefix: every queue of one plasticd installation shares it. Default 'plasticd'. */
  prefix: string;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Parses a queue URL; a clear `invalid_queue_url` error for anything else. */
export function parseRedisTarget(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(url, 'it is not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw invalid(url, `the scheme must be redis:// or rediss://, not ${parsed.protocol}//`);
  if (parsed.hostname === '') throw invalid(url, 'it names no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw invalid(url, `the path must be a database number (/0 … /15), not /${path}`);
  for (const key of parsed.searchParams.keys()) {
    if (key !== 'prefix') throw invalid(url, `unknown query parameter '${key}' (only 'prefix' is known)`);
  }
  const prefix = parsed.searchParams.get('prefix') ?? 'plasticd';
  if (!PREFIX_PATTERN.test(prefix)) throw invalid(url, `prefix must be 1–64 letters, digits, '_', '.' or '-', got '${prefix}'`);
  const connection: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    db: path === '' ? 0 : Number(path),
    // BullMQ's workers block on Redis: they need requests that wait for a reconnect instead of failing.
    maxRetriesPerRequest: null,
    ...(parsed.username !== '' ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password !== '' ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  const display = `${parsed.protocol}//${parsed.username !== '' ? `${parsed.username}@` : ''}${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}${parsed.search}`;
  return { display, connection, prefix };
}

/** PINGs the server once; a `queue_unreachable` error naming the address when it does not answer in time. */
export async function checkRedis(target: RedisTarget, timeoutMs = 5000): Promise<void> {
  const client = new Redis({ ...target.connection, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  let cause: Error | null = null;
  client.on('error', (error: Error) => (cause ??= error)); // the socket's own error says more than the closed connection
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new PlasticdError('queue_unreachable', `cannot reach the queue at ${target.display}: ${(cause ?? (error as Error)).message}`);
  } finally {
    client.disconnect();
  }
}

function invalid(url: string, why: string): PlasticdError {
  return new PlasticdError('invalid_queue_url', `the queue URL '${url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}' is not a Redis URL: ${why} (e.g. redis://127.0.0.1:6379)`);
}
