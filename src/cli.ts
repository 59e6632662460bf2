/**
 * plasticd command line: `plasticd serve [--config file.yaml] [--data-dir dir] [--port n]
 * [--host h] [--token t] [--backend b] [--log-level l]` runs the daemon (with the embedded default
 * config when no file is given; `npm start` does that), `plasticd demo` the environment tour,
 * `plasticd experiment <file>` an experiment file to a report (src/experiment/command.ts), `plasticd
 * worker --queue redis://…` a process that trains queued experiment runs (src/queue/worker-command.ts).
 * Flags override the file; PLASTICD_TOKEN supplies the token when neither gives one. Bad flags and
 * invalid config files exit with status 2 and a message naming the flag or key.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { DEFAULT_CONFIG } from './config/default-config.ts';
import { loadDaemonConfigFile, parseDaemonConfig } from './config/daemon-config.ts';
import type { DaemonConfig } from './config/daemon-config.ts';
import { PlasticdError } from './util/errors.ts';

const HELP = `plasticd — trains online RL agents on nonstationary environments and watches (and restores) their plasticity.

Usage:
  plasticd serve [options]   run the daemon (HTTP API, live page, /metrics, websocket feed)
  plasticd demo              a short tour of the environments
  plasticd experiment <file> [--out dir] [--workers n] [--scale name] [--restart] [--queue redis-url]
                             run an experiment file (methods × grid × seeds) to a report with tables and plots;
                             run it again after Ctrl-C to resume (default out ./experiment-results/<name>);
                             with --queue, the runs go to a Redis queue that 'plasticd worker' processes train
                             (the out folder must be shared storage, at the same path on every worker)
  plasticd worker --queue <redis-url> [options]
                             train queued runs ('plasticd worker --help' lists the options)
  plasticd --help            this text

Options of serve:
  --config <file>        YAML or JSON config (default: the embedded config, four agents side by side)
  --data-dir <dir>       where agents' specs, run logs and checkpoints live (default ./plasticd-data)
  --host <address>       listen address (default 127.0.0.1; any other needs a token)
  --port <n>             listen port, 0 for any free one (default 8420)
  --token <token>        API token for mutating routes and the feed (or env PLASTICD_TOKEN)
  --backend <name>       tfjs backend: auto, tensorflow-gpu, tensorflow, wasm, cpu-blas, cpu (default auto)
  --log-level <level>    fatal, error, warn, info, debug, trace, silent (default info)
  --no-default-agents    with no --config: start without the embedded agents
  --queue <redis-url>    train the agents on 'plasticd worker' processes that take them from this queue

Config keys: dataDir, host, port, token, backend, checkpointEverySeconds, keepCheckpoints, logLevel,
shutdownTimeoutSeconds, queue, queueLostAfterSeconds, agents (a list of agent specs; created on first start only).
`;

class UsageError extends Error {}

interface ServeFlags {
  config?: string;
  'data-dir'?: string;
  host?: string;
  port?: string;
  token?: string;
  backend?: string;
  'log-level'?: string;
  'no-default-agents'?: boolean;
  queue?: string;
}

function parseServeFlags(args: string[]): ServeFlags {
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string', short: 'p' },
        token: { type: 'string' },
        backend: { type: 'string' },
        'log-level': { type: 'string' },
        'no-default-agents': { type: 'boolean' },
        queue: { type: 'string', short: 'q' },
      },
    });
    return values as ServeFlags;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The config file (or the embedded default) with flags and PLASTICD_TOKEN applied, validated. */
export async function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Promise<DaemonConfig> {
  let raw: Record<string, unknown>;
  if (flags.config !== undefined) raw = (await loadDaemonConfigFile(flags.config)).raw;
  else raw = structuredClone(DEFAULT_CONFIG) as Record<string, unknown>;
  if (flags['no-default-agents'] && flags.config === undefined) raw.agents = [];
  if (flags['data-dir'] !== undefined) raw.dataDir = flags['data-dir'];
  if (flags.host !== undefined) raw.host = flags.host;
  if (flags.port !== undefined) {
    if (!/^\d{1,5}$/.test(flags.port) || Number(flags.port) > 65_535) throw new UsageError(`--port must be an integer 0–65535, got '${flags.port}'`);
    raw.port = Number(flags.port);
  }
  if (flags.token !== undefined) raw.token = flags.token;
  else if (raw.token === undefined && env.PLASTICD_TOKEN !== undefined && env.PLASTICD_TOKEN.trim() !== '') raw.token = env.PLASTICD_TOKEN;
  if (flags.backend !== undefined) raw.backend = flags.backend;
  if (flags['log-level'] !== undefined) raw.logLevel = flags['log-level'];
  if (flags.queue !== undefined) raw.queue = flags.queue;
  const source = flags.config !== undefined ? `config (${flags.config} with command-line flags)` : 'config (embedded defaults with command-line flags)';
  return parseDaemonConfig(raw, source);
}

async function serve(args: string[]): Promise<void> {
  const flags = parseServeFlags(args);
  const config = await resolveServeConfig(flags);
  const logger = pino({ level: config.logLevel, base: { pid: process.pid } });
  const { startDaemon } = await import('./daemon/server.ts');
  const daemon = await startDaemon(config, { logger });
  // One plain line for people and scripts (the port matters with --port 0).
  process.stdout.write(`plasticd listening on ${daemon.url} (live page ${daemon.url}/, metrics ${daemon.url}/metrics, data ${config.dataDir})\n`);
  let signalledAt: number | null = null;
  const stop = (signal: NodeJS.Signals) => {
    if (signalledAt !== null) {
      // A repeat within a second is usually the same signal relayed (timeout, a process group); a later one is a user insisting.
      if (Date.now() - signalledAt < 1000) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    signalledAt = Date.now();
    logger.info({ signal }, 'signal received; shutting down');
    const hardStop = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000 + 2000);
    hardStop.unref();
    daemon.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await daemon.started;
  logger.info({ agents: daemon.supervisor.listAgents().map((agent) => `${agent.id}:${agent.state}`) }, 'agents started');
}

async function runExperimentCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: { out: { type: 'string', short: 'o' }, workers: { type: 'string', short: 'w' }, scale: { type: 'string' }, restart: { type: 'boolean' }, queue: { type: 'string', short: 'q' } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`experiment takes one experiment file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  let workers: number | undefined;
  if (values.workers !== undefined) {
    if (!/^\d+$/.test(values.workers) || Number(values.workers) < 1) throw new UsageError(`--workers must be a positive integer, got '${values.workers}'`);
    workers = Number(values.workers);
  }
  if (values.queue !== undefined && workers !== undefined) throw new UsageError('--workers has no meaning with --queue: start that many `plasticd worker` processes instead');
  const { experimentCommand } = await import('./experiment/command.ts');
  return experimentCommand({
    file: positionals[0],
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(values.scale !== undefined ? { scale: values.scale } : {}),
    ...(values.queue !== undefined ? { queue: values.queue } : {}),
    restart: values.restart === true,
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    switch (command) {
      case 'serve':
        if (rest.includes('--help') || rest.includes('-h')) {
          process.stdout.write(HELP);
          return 0;
        }
        await serve(rest);
        return -1; // keeps running
      case 'experiment':
        return await runExperimentCommand(rest);
      case 'worker': {
        const { WORKER_HELP, workerCommand } = await import('./queue/worker-command.ts');
        if (rest.includes('--help') || rest.includes('-h')) {
          process.stdout.write(WORKER_HELP);
          return 0;
        }
        return await workerCommand(rest);
      }
      case 'demo': {
        const { runEnvDemo } = await import('./demo.ts');
        runEnvDemo();
        return 0;
      }
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`plasticd: ${error.message}\nRun 'plasticd --help' for usage.\n`);
      return 2;
    }
    if (error instanceof PlasticdError) {
      process.stderr.write(`plasticd: ${error.message}\n`);
      const usage = ['invalid_config', 'config_unreadable', 'insecure_listen', 'invalid_experiment', 'experiment_unreadable', 'experiment_changed', 'invalid_argument', 'invalid_queue_url'];
      return usage.includes(error.code) ? 2 : 1;
    }
    process.stderr.write(`plasticd: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then((code) => {
    if (code >= 0) process.exit(code);
  });
}
