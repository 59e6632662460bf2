/**
 * `plasticd worker --queue redis://…`: a process that trains queued experiment runs (queue-worker.ts),
 * hosts queued daemon agents (agent-host.ts), and serves
 * its Prometheus metrics at http://<metrics-host>:<metrics-port>/metrics (plus /healthz). With
 * `--sd-dir`, it writes `<sd-dir>/<name>.json`, a Prometheus file-based service discovery target
 * file, and deletes it on a clean exit; point `file_sd_configs` at `<sd-dir>/*.json` and every worker
 * is scraped (a killed worker's target stays and shows `up == 0`). SIGINT/SIGTERM checkpoint the
 * running runs and hand them back to the queue before the process exits.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { writeFileAtomic } from '../daemon/store/atomic-file.ts';
import { packageVersion } from '../util/package-version.ts';
import { PlasticdError } from '../util/errors.ts';
import { checkRedis, parseRedisTarget } from './redis-target.ts';
import { startQueueWorker } from './queue-worker.ts';
import type { QueueWorker } from './queue-worker.ts';
import { startAgentHost } from './agent-host.ts';
import type { AgentHost } from './agent-host.ts';
import { createWorkerMetrics } from './worker-metrics.ts';
import type { WorkerMetrics } from './worker-metrics.ts';

export const WORKER_HELP = `plasticd worker --queue <redis-url> [options]
  Trains the runs queued by 'plasticd experiment <file> --queue <redis-url>' (any number of workers,
  on any machines that see the experiment's output folder at the same path), and hosts the agents of
  daemons started with 'plasticd serve --queue <redis-url>'.

Options:
  --queue <url>          redis://[user:password@]host[:port][/db][?prefix=name] (required)
  --concurrency <n>      experiment runs trained at once, one thread each (default: one per core)
  --agents <n>           daemon agents hosted at once, one thread each (default: the concurrency; 0: none)
  --lock-seconds <s>     lock of a running job: a killed worker's runs move on within about 2×s (default 30;
                         use the same value on every worker of a queue)
  --name <name>          worker name in logs, metrics and progress (default <hostname>-<pid>)
  --metrics-port <n>     port of /metrics and /healthz, 0 for any free one (default 8421)
  --metrics-host <addr>  address they listen on (default 127.0.0.1; 0.0.0.0 in a container)
  --sd-dir <dir>         write <dir>/<name>.json for Prometheus file-based service discovery
  --log-level <level>    fatal, error, warn, info, debug, trace, silent (default info)
`;

export interface WorkerFlags {
  queue: string;
  concurrency: number;
  agents: number;
  lockSeconds: number;
  name: string;
  metricsPort: number;
  metricsHost: string;
  sdDir: string | null;
  logLevel: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** How long a stopping worker may take to checkpoint and hand back its runs before it exits anyway. */
export const SHUTDOWN_SECONDS = 120;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Parses and checks the flags; `invalid_argument` naming the flag otherwise. */
export function parseWorkerFlags(args: string[]): WorkerFlags {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        queue: { type: 'string', short: 'q' },
        concurrency: { type: 'string', short: 'c' },
        agents: { type: 'string' },
        'lock-seconds': { type: 'string' },
        name: { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        'sd-dir': { type: 'string' },
        'log-level': { type: 'string' },
      },
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    throw new PlasticdError('invalid_argument', (error as Error).message);
  }
  if (values.queue === undefined) throw new PlasticdError('invalid_argument', 'worker needs --queue redis://host:port');
  const integer = (flag: string, fallback: number, min: number, max: number): number => {
    const value = values[flag];
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new PlasticdError('invalid_argument', `--${flag} must be an integer ${min}–${max}, got '${value}'`);
    return Number(value);
  };
  const name = values.name ?? `${hostname()}-${process.pid}`;
  if (!NAME_PATTERN.test(name)) throw new PlasticdError('invalid_argument', `--name must be letters, digits, '_', '.' or '-', got '${name}'`);
  const logLevel = values['log-level'] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new PlasticdError('invalid_argument', `--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  const concurrency = integer('concurrency', availableParallelism(), 1, 256);
  return {
    queue: values.queue,
    concurrency,
    agents: integer('agents', concurrency, 0, 256),
    lockSeconds: integer('lock-seconds', 30, 1, 3600),
    name,
    metricsPort: integer('metrics-port', 8421, 0, 65_535),
    metricsHost: values['metrics-host'] ?? '127.0.0.1',
    sdDir: values['sd-dir'] ?? null,
    logLevel,
  };
}

/** Runs the worker until SIGINT/SIGTERM; resolves to the exit status. */
export async function workerCommand(args: string[]): Promise<number> {
  const flags = parseWorkerFlags(args);
  const target = parseRedisTarget(flags.queue);
  const logger = pino({ level: flags.logLevel, base: { pid: process.pid, worker: flags.name } });
  await checkRedis(target);
  const metrics = createWorkerMetrics({ worker: flags.name, queue: target.display, concurrency: flags.concurrency, version: packageVersion(), backend: () => 'auto' });
  // The metrics port first: a worker that cannot serve it stops before it has taken any run.
  let worker: QueueWorker | null = null;
  let agents: AgentHost | null = null;
  const server = await serveMetrics(metrics, flags.metricsHost, flags.metricsPort, () => ({ activeRuns: worker?.active ?? 0, activeAgents: agents?.active ?? 0 }));
  try {
    worker = await startQueueWorker({ target, name: flags.name, concurrency: flags.concurrency, lockSeconds: flags.lockSeconds, logger, metrics });
    agents = flags.agents === 0 ? null : await startAgentHost({ target, name: flags.name, concurrency: flags.agents, lockSeconds: flags.lockSeconds, logger, metrics });
  } catch (error) {
    await worker?.close();
    await new Promise((done) => server.close(done));
    throw error;
  }
  const runs = worker;
  const hosted = agents;
  const port = (server.address() as { port: number }).port;
  const advertised = `${flags.metricsHost === '0.0.0.0' || flags.metricsHost === '::' ? hostname() : flags.metricsHost}:${port}`;
  const sdFile = flags.sdDir === null ? null : join(flags.sdDir, `${flags.name}.json`);
  if (sdFile !== null) {
    await mkdir(flags.sdDir!, { recursive: true });
    await writeFileAtomic(sdFile, `${JSON.stringify([{ targets: [advertised], labels: { job: 'plasticd-worker', worker: flags.name } }], null, 2)}\n`);
  }
  process.stdout.write(`plasticd worker ${flags.name} taking runs from ${target.display} (concurrency ${flags.concurrency}, agents ${flags.agents}); metrics http://${advertised}/metrics\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping: checkpointing the running runs and handing them (and hosted agents) back');
      const hardStop = setTimeout(() => {
        logger.error('shutdown took too long; exiting (the queue hands the runs on when their locks expire)');
        resolve(1);
      }, SHUTDOWN_SECONDS * 1000);
      hardStop.unref();
      void (async () => {
        await Promise.all([
          runs.close().catch((error: unknown) => logger.error({ err: error }, 'closing the queue worker failed')),
          hosted?.close().catch((error: unknown) => logger.error({ err: error }, 'closing the agent host failed')),
        ]);
        if (sdFile !== null) await rm(sdFile, { force: true });
        await new Promise((done) => server.close(done));
        clearTimeout(hardStop);
        resolve(0);
      })();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function serveMetrics(metrics: WorkerMetrics, host: string, port: number, active: () => { activeRuns: number; activeAgents: number }): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(error as Error).message}\n`),
      );
    } else if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify({ status: 'ok', ...active() })}\n`);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new PlasticdError('listen_failed', `cannot serve metrics on ${host}:${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use (pick another with --metrics-port, or 0 for any)' : error.message}`)),
    );
    server.listen(port, host, () => resolve(server));
  });
}
