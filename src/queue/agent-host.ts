/**
 * A queue worker's side of daemon agents: takes agent jobs (one generation of one agent's run each,
 * see agent-jobs.ts), runs the daemon's own worker.ts in a thread with the generation's WorkerInit, and
 * relays: the daemon's requests from the `in` stream to the thread, the thread's messages to the `out`
 * stream, plus a heartbeat every second. It stops the thread when the daemon asks, when the generation
 * is no longer current (the daemon moved on), or when the job's lock is lost. A job that comes back
 * after its first worker died is not run from its (stale) init: the daemon is told, and starts a new
 * generation from the agent's last checkpoint. On close the worker tells the daemon it is draining, so
 * the daemon checkpoints each run and moves it to another worker.
 */
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Worker } from 'node:worker_threads';
import { WORKER_BOOTSTRAP } from '../daemon/worker-channel.ts';
import type { WorkerInit, WorkerMessage } from '../daemon/worker.ts';
import { AGENT_QUEUE, AgentJobDataSchema, agentKeys, decode, encode, entryMessage, FIELD } from './agent-jobs.ts';
import type { HostMessage, HostRequest } from './agent-jobs.ts';
import type { RedisTarget } from './redis-target.ts';
import { startBullWorker } from './bull-worker.ts';
import type { AgentJobOutcome, WorkerMetrics } from './worker-metrics.ts';

export interface AgentHostOptions {
  target: RedisTarget;
  name: string;
  /** Agents hosted at once. */
  concurrency: number;
  lockSeconds: number;
  logger: Logger;
  metrics: WorkerMetrics;
}

export interface AgentHost {
  readonly active: number;
  /** Tells every hosted run's daemon that this worker is leaving, waits (bounded) for them to move the runs, then stops. */
  close(): Promise<void>;
}


const HEARTBEAT_MS = 1000;
/** Messages the daemon has not read before the run is given up as orphaned by its daemon (minutes of traffic). */
const MAX_UNREAD = 20_000;
/** How long a draining worker waits for the daemon to checkpoint and stop a run. */
const DRAIN_MS = 60_000;

export async function startAgentHost(options: AgentHostOptions): Promise<AgentHost> {
  const { logger, name, metrics } = options;
  const commands = new Redis(options.target.connection);
  commands.on('error', (error) => logger.warn({ err: error }, 'queue connection error'));
  const draining = new AbortController();
  let active = 0;

  const processor = async (job: Job, _token?: string, lease?: AbortSignal): Promise<{ outcome: AgentJobOutcome; code?: number }> => {
    const parsed = AgentJobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new Error(`job ${job.id} is not an agent job: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    const data = parsed.data;
    const keys = agentKeys(data.base, data.generation);
    const log = logger.child({ agent: data.agent, generation: data.generation });
    const send = (message: HostMessage) => commands.xadd(keys.out, '*', FIELD, encode(message)).catch((error: unknown) => log.warn({ err: error }, 'relaying to the daemon failed'));
    if ((await commands.get(keys.current)) !== String(data.generation)) return { outcome: 'superseded' };
    if ((await commands.set(keys.hosted, name, 'NX')) === null) {
      log.warn('this run\'s first worker died: asking the daemon to resume it from its last checkpoint');
      await send({ type: 'orphaned', worker: name });
      return { outcome: 'orphaned' };
    }
    const initBytes = await commands.getBuffer(keys.init);
    if (initBytes === null) return { outcome: 'superseded' };
    const init = decode<WorkerInit>(initBytes);

    active++;
    metrics.agentStarted();
    const reader = new Redis(options.target.connection);
    reader.on('error', () => undefined);
    let outcome: AgentJobOutcome = 'exited';
    let ended = false;
    const thread = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: init });
    const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
    const stopThread = (why: AgentJobOutcome) => {
      if (ended) return;
      outcome = why;
      void thread.terminate();
    };
    try {
      await send({ type: 'hello', worker: name });
      log.info('hosting the agent\'s run');
      thread.on('message', (message: WorkerMessage) => void send({ type: 'thread', message }));
      thread.on('error', (error) => void send({ type: 'crash', message: error.message }));
      const heartbeat = setInterval(() => {
        void send({ type: 'heartbeat', worker: name });
        Promise.all([commands.get(keys.current), commands.xlen(keys.out)]).then(
          ([current, unread]) => {
            // The daemon moved on, or is gone (nobody has read what this run sent for a long while).
            if (current !== String(data.generation) || unread > MAX_UNREAD) stopThread('superseded');
          },
          (error: unknown) => log.debug({ err: error }, 'checking the generation failed; next heartbeat retries'),
        );
      }, HEARTBEAT_MS);
      const onLease = () => stopThread('lease-lost');
      lease?.addEventListener('abort', onLease, { once: true });
      // Draining: the daemon is told, and has DRAIN_MS to checkpoint and stop the run before it is stopped here.
      let drainTimer: NodeJS.Timeout | null = null;
      const onDrain = () => {
        void send({ type: 'draining', worker: name });
        drainTimer = setTimeout(() => stopThread('exited'), DRAIN_MS);
      };
      draining.signal.addEventListener('abort', onDrain, { once: true });
      if (draining.signal.aborted) onDrain();
      const relaying = relayRequests(reader, keys.in, thread, () => ended, log);
      const code = await exited;
      ended = true;
      clearInterval(heartbeat);
      if (drainTimer !== null) clearTimeout(drainTimer);
      lease?.removeEventListener('abort', onLease);
      draining.signal.removeEventListener('abort', onDrain);
      if (outcome === 'exited') await send({ type: 'exit', code });
      reader.disconnect();
      await relaying;
      log.info({ outcome, code }, 'the agent\'s run ended here');
      return { outcome, code };
    } finally {
      ended = true;
      reader.disconnect();
      active--;
      metrics.agentEnded(outcome);
    }
  };

  const worker = await startBullWorker(AGENT_QUEUE, processor, { target: options.target, name, concurrency: options.concurrency, lockSeconds: options.lockSeconds, logger });

  let closing: Promise<void> | null = null;
  return {
    get active() {
      return active;
    },
    close() {
      closing ??= (async () => {
        draining.abort();
        await worker.close();
        await commands.quit().catch(() => commands.disconnect());
      })();
      return closing;
    },
  };
}

/** Reads the daemon's requests for one run and hands them to its thread, until the run ends. */
async function relayRequests(reader: Redis, stream: string, thread: Worker, ended: () => boolean, log: Logger): Promise<void> {
  let lastId = '0';
  while (!ended()) {
    let reply: Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
    try {
      reply = (await reader.xreadBuffer('COUNT', 100, 'BLOCK', 500, 'STREAMS', stream, lastId)) as typeof reply;
    } catch (error) {
      if (ended()) return;
      log.warn({ err: error }, 'reading the daemon\'s requests failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    for (const [, entries] of reply ?? []) {
      for (const [id, fields] of entries) {
        lastId = id.toString();
        const message = entryMessage<HostRequest>(fields);
        if (message === null) continue;
        if (message.type === 'terminate') void thread.terminate();
        else thread.postMessage(message.request);
      }
    }
  }
}
