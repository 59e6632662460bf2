/**
 * The daemon's wiring: an app-owned prom-client registry with the Prometheus exporter, the
 * supervisor (agents in worker threads, resumed from the data dir), the express app, the websocket
 * feed on the same http server and token, and the live page. The main thread initialises tfjs only
 * to report the backend in build info; it never trains. `close()` shuts down gracefully within a
 * bounded time: stop taking requests, checkpoint every agent, stop the workers, close the feed.
 */
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { memory as tfMemory } from '@tensorflow/tfjs-core';
import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { DaemonConfig } from '../config/daemon-config.ts';
import { initBackend } from '../nn/backend.ts';
import { libm } from '../util/libm.ts';
import { packageVersion } from '../util/package-version.ts';
import { PrometheusExporter } from '../../monitoring/exporters/prometheus.ts';
import { buildApp } from './app.ts';
import { handleClientError } from './errors.ts';
import { FeedGateway } from './feed/index.ts';
import { assertSafeListen, hasToken } from './listen-guard.ts';
import { Supervisor } from './supervisor.ts';
import { AgentQueueHub } from '../queue/remote-agent-channel.ts';
import { parseRedisTarget } from '../queue/redis-target.ts';
import { serveWebAssets } from './web-assets.ts';

export interface StartDaemonOptions {
  logger: Logger;
  /** Agent specs (as given) to create when not already in the data dir. Default: config.agents. */
  agents?: readonly unknown[];
  /** Worker chunk length in ms (tests shorten it). */
  chunkMs?: number;
}

export interface RunningDaemon {
  url: string;
  port: number;
  supervisor: Supervisor;
  /** Resolves once every agent on disk has resumed and the configured ones exist (readiness). */
  started: Promise<void>;
  /** Graceful shutdown; resolves when everything is closed (bounded by config.shutdownTimeoutSeconds). */
  close(): Promise<void>;
}

export async function startDaemon(config: DaemonConfig, options: StartDaemonOptions): Promise<RunningDaemon> {
  const { logger } = options;
  const token = hasToken(config.token) ? config.token : undefined;
  assertSafeListen({ host: config.host, port: config.port, token });
  const version = packageVersion();

  const backend = await initBackend({ backend: config.backend });
  logger.info({ backend: backend.name, reason: backend.reason }, 'tfjs backend (main thread, build info only)');
  if (libm.source === 'host') logger.info('classic-control envs compute sin/cos/pow with the C library, bit-identical to Gymnasium on this machine');
  else logger.warn({ reason: libm.reason }, 'classic-control envs use JavaScript sin/cos/pow: same dynamics, not bit-identical to Gymnasium');

  const registry = new Registry();
  const server = createServer({ headersTimeout: 20_000, requestTimeout: 60_000, keepAliveTimeout: 5_000 });
  server.on('clientError', handleClientError);
  const feed = new FeedGateway({ server, ...(token ? { token } : {}), logger: logger.child({ component: 'feed' }) });
  const exporter = new PrometheusExporter({
    registry,
    version,
    backend: () => backend.name,
    libm: libm.source,
    // The main thread's own tensors (it only initialises tfjs; a leak here would show); agents' are per agent.
    tfMemory: () => tfMemory(),
    feedStats: () => feed.stats(),
  });
  // Agents on a queue: check the queue before anything resumes, so a wrong URL is one clear error at start.
  const hub = config.queue === undefined ? null : await AgentQueueHub.open({ target: parseRedisTarget(config.queue), dataDir: resolve(config.dataDir), logger: logger.child({ component: 'queue' }), lostAfterSeconds: config.queueLostAfterSeconds });
  if (hub) logger.info({ queue: hub.options.target.display }, 'agents train on queue workers (plasticd worker --queue …)');
  const supervisor = new Supervisor({
    dataDir: config.dataDir,
    logger: logger.child({ component: 'supervisor' }),
    backend: config.backend,
    backendName: () => backend.name,
    checkpointEverySeconds: config.checkpointEverySeconds,
    keepCheckpoints: config.keepCheckpoints,
    exporter,
    feed,
    version,
    ...(options.chunkMs !== undefined ? { chunkMs: options.chunkMs } : {}),
    ...(hub ? { channel: (agent: string, timeoutMs: number) => hub.channel(agent, timeoutMs) } : {}),
  });
  const app = buildApp({ supervisor, registry, logger: logger.child({ component: 'http' }), ...(token ? { token } : {}), webAssets: serveWebAssets() });
  server.on('request', app);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, dataDir: config.dataDir, auth: token !== undefined }, 'listening');

  // Resume agents after listening, so /healthz answers (and /readyz says 503) while they start.
  const starting = supervisor.start(options.agents ?? config.agents).catch((error: unknown) => {
    logger.error({ err: error }, 'resuming agents failed');
  });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info('shutting down');
      server.close();
      await starting;
      await supervisor.shutdown(Math.max(500, config.shutdownTimeoutSeconds * 1000 - 1000));
      await hub?.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the queue failed'));
      await feed.close().catch(() => undefined);
      server.closeAllConnections();
      logger.info('stopped');
    })();
    return closing;
  };
  return { url, port: address.port, supervisor, started: starting, close };
}
