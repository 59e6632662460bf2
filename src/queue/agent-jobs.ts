/**
 * Daemon agents on the queue: the job a worker takes to host one run of one agent (a "generation": the
 * daemon starts a new one for every (re)start of the run), and the Redis keys the daemon and the worker
 * talk through while it runs:
 *   <base>:current   the generation the daemon wants running (a worker hosting another one stops)
 *   <base>:<g>:init  the run's WorkerInit (spec, checkpoint state to restore), set before the job is added
 *   <base>:<g>:in    stream, daemon → worker: the supervisor's requests (pause, checkpoint, stop, …)
 *   <base>:<g>:out   stream, worker → daemon: the run's messages, plus hello / heartbeat / exit
 *   <base>:<g>:hosted the first worker that hosted the generation (a later one knows the first died)
 * with <base> = <prefix>:agents:<daemon>:<agent>, <daemon> a hash of the daemon's data dir (stable across
 * its restarts). Messages are encoded with Node's structured clone serializer (v8.serialize: typed arrays,
 * NaN and -0 survive, as through a worker thread's postMessage), so the daemon and its workers must run
 * the same Node major version.
 */
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { z } from 'zod';
import { AGENT_ID_PATTERN } from '../daemon/store/agent-directory.ts';
import type { WorkerMessage, WorkerRequest } from '../daemon/worker.ts';

/** The BullMQ queue of daemon agents. */
export const AGENT_QUEUE = 'plasticd-agents';
export const AGENT_JOB = 'agent-run';

export const AgentJobDataSchema = z
  .object({
    /** The daemon's key (hash of its data dir). */
    daemon: z.string().regex(/^[0-9a-f]{16}$/),
    agent: z.string().regex(AGENT_ID_PATTERN),
    generation: z.number().int().positive(),
    /** <base> of the keys above. */
    base: z.string().min(1).max(400),
  })
  .strict();
export type AgentJobData = z.infer<typeof AgentJobDataSchema>;

/** Daemon → worker. */
export type HostRequest = { type: 'request'; request: WorkerRequest } | { type: 'terminate' };

/** Worker → daemon. */
export type HostMessage =
  | { type: 'hello'; worker: string }
  | { type: 'heartbeat'; worker: string }
  | { type: 'thread'; message: WorkerMessage }
  | { type: 'crash'; message: string }
  | { type: 'exit'; code: number }
  /** The worker is shutting down: the daemon checkpoints the run and moves it to another worker. */
  | { type: 'draining'; worker: string }
  /** The queue handed this generation's job to `worker` after its first worker died: the daemon resumes the run anew. */
  | { type: 'orphaned'; worker: string };

export function daemonKey(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
}

export function agentKeyBase(prefix: string, daemon: string, agent: string): string {
  return `${prefix}:agents:${daemon}:${agent}`;
}

export const agentKeys = (base: string, generation: number) => ({
  current: `${base}:current`,
  counter: `${base}:generation`,
  init: `${base}:${generation}:init`,
  in: `${base}:${generation}:in`,
  out: `${base}:${generation}:out`,
  /** Set (NX) by the first worker that hosts the generation. */
  hosted: `${base}:${generation}:hosted`,
});

export function agentJobId(data: Pick<AgentJobData, 'daemon' | 'agent' | 'generation'>): string {
  return `${data.daemon}-${data.agent}-g${data.generation}`;
}

/** The field every stream entry carries its encoded message in. */
export const FIELD = 'm';

export function encode(message: unknown): Buffer {
  return serialize(message);
}

export function decode<T>(bytes: Buffer): T {
  return deserialize(bytes) as T;
}

/** The message of one XREAD entry ([id, [field, value, …]]), or null when it has none. */
export function entryMessage<T>(fields: Buffer[]): T | null {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]!.toString() === FIELD) return decode<T>(fields[i + 1]!);
  }
  return null;
}
