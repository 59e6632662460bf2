/**
 * The daemon's config file (YAML or JSON; `plasticd serve --config file.yaml`): where data lives,
 * where to listen, the API token, the tfjs backend, how often to checkpoint, the log level and the
 * agents to create on first start. Every key is optional with the default shown; unknown keys are
 * errors (a typo is never ignored). Command-line flags override file values; PLASTICD_TOKEN
 * supplies the token when neither gives one.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { agentSpecSchema } from './agent-spec.ts';
import { BACKEND_NAMES } from '../nn/backend.ts';
import { PlasticdError } from '../util/errors.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const daemonConfigSchema = z.strictObject({
  /** Folder holding every agent's spec, run log and checkpoints. Default './plasticd-data'. */
  dataDir: z.string().min(1).default('./plasticd-data'),
  /** Address to listen on. Default '127.0.0.1' (loopback); any other address needs a token. */
  host: z.string().min(1).default('127.0.0.1'),
  /** TCP port; 0 picks a free one (printed at start). Default 8420. */
  port: z.int().min(0).max(65_535).default(8420),
  /** API token: mutating routes and the websocket feed need `Authorization: Bearer <token>`. Default: env PLASTICD_TOKEN, else none. */
  token: z.string().min(8, 'a token must be at least 8 characters').optional(),
  /** tfjs backend of the worker threads: 'auto' (fastest available) or one of BACKEND_NAMES. Default 'auto'. */
  backend: z.enum(['auto', ...BACKEND_NAMES]).default('auto'),
  /** Seconds between periodic checkpoints of each running agent (also on pause and shutdown). Default 60. */
  checkpointEverySeconds: z.number().min(1).max(86_400).default(60),
  /** Checkpoints kept per agent (older ones are deleted). Default 3. */
  keepCheckpoints: z.int().min(1).max(100).default(3),
  /** pino log level. Default 'info'. */
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** Seconds a graceful shutdown (SIGTERM/SIGINT) may take before workers are terminated. Default 15. */
  shutdownTimeoutSeconds: z.number().min(1).max(600).default(15),
  /**
   * Redis URL (redis://host:port[/db][?prefix=name]): agents train on `plasticd worker` processes that
   * take them from this queue instead of in threads of the daemon; the daemon keeps the run logs,
   * checkpoints, /metrics and the feed. Default: none (agents train in the daemon).
   */
  queue: z.string().min(1).optional(),
  /** With `queue`: seconds without a word from an agent's worker before the agent is resumed from its last checkpoint on another. Default 15. */
  queueLostAfterSeconds: z.number().min(2).max(3600).default(15),
  /** Agents created on first start, unless an agent with the same id is already in the data dir. Default []. */
  agents: z.array(agentSpecSchema).default([]),
});

export type DaemonConfig = z.output<typeof daemonConfigSchema>;
export type DaemonConfigInput = z.input<typeof daemonConfigSchema>;

/** Validates a config object; the error names each bad key (`agents.1.agent.kind: …`). */
export function parseDaemonConfig(input: unknown, source = 'config'): DaemonConfig {
  const result = daemonConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 8)
      .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new PlasticdError('invalid_config', `Invalid ${source}: ${problems}.`, { issues: result.error.issues });
  }
  const ids = new Set<string>();
  for (const [index, agent] of result.data.agents.entries()) {
    if (ids.has(agent.id)) throw new PlasticdError('invalid_config', `Invalid ${source}: agents.${index}.id: duplicate agent id '${agent.id}'.`);
    ids.add(agent.id);
  }
  return result.data;
}

/** Reads a YAML or JSON file (YAML is a superset of JSON) and validates it. */
export async function loadDaemonConfigFile(path: string): Promise<{ raw: Record<string, unknown>; config: DaemonConfig }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PlasticdError('config_unreadable', `Cannot read config file ${path}: ${(error as Error).message}.`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new PlasticdError('invalid_config', `Config file ${path} is not valid YAML/JSON: ${(error as Error).message}`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new PlasticdError('invalid_config', `Config file ${path} must hold a mapping of keys (dataDir, port, agents, …).`);
  return { raw: raw as Record<string, unknown>, config: parseDaemonConfig(raw, `config file ${path}`) };
}
