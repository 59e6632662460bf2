/**
 * The daemon's side of agents that train on queue workers (`plasticd serve --queue redis://…`). Each
 * (re)start of an agent's run is a generation: its WorkerInit goes to Redis, a job goes to the agents
 * queue, and whichever `plasticd worker` takes it runs the daemon's own worker.ts in a thread and relays
 * its messages (agent-host.ts). The supervisor sees the same channel as for a local thread; the run log,
 * checkpoints, /metrics and the feed stay with the daemon. A run whose worker dies (no heartbeat for
 * `lostAfterSeconds`, or the queue handing the job to another worker) or shuts down is reported as
 * lost, and the supervisor resumes it from its last checkpoint as a new generation on another worker.
 * One hub per daemon holds the connections and reads every agent's stream with one blocking XREAD.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AgentChannel, WorkerHandlers } from '../daemon/agent-channel.ts';
import { PendingRequests } from '../daemon/pending-requests.ts';
import type { WorkerInit, WorkerRequest } from '../daemon/worker.ts';
import { PlasticdError } from '../util/errors.ts';
import { AGENT_JOB, AGENT_QUEUE, agentJobId, agentKeyBase, agentKeys, daemonKey, encode, entryMessage, FIELD } from './agent-jobs.ts';
import type { AgentJobData, HostMessage, HostRequest } from './agent-jobs.ts';
import { checkRedis } from './redis-target.ts';
import type { RedisTarget } from './redis-target.ts';

export interface AgentQueueHubOptions {
  target: RedisTarget;
  /** The daemon's data dir: its hash names this daemon's keys, the same across restarts. */
  dataDir: string;
  logger: Logger;
  /** A hosted run that sends nothing for this long is taken as lost. Default 15. */
  lostAfterSeconds?: number;
}

/** How long the run's init stays in Redis if nobody cleans up (a daemon killed meanwhile). */
const INIT_TTL_SECONDS = 7 * 86_400;

type AgentKeys = ReturnType<typeof agentKeys>;
/** A generation's job data and Redis keys, once its job is queued. */
interface GenerationKeys {
  data: AgentJobData;
  keys: AgentKeys;
}

interface Follower {
  lastId: string;
  onMessage(message: HostMessage): void;
}

export class AgentQueueHub {
  private readonly streams = new Map<string, Follower>();
  private readonly channels = new Set<RemoteAgentChannel>();
  private readonly daemon: string;
  private readonly lostAfterMs: number;
  private closed = false;
  private readonly reading: Promise<void>;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly options: AgentQueueHubOptions,
    private readonly queue: Queue,
    private readonly commands: Redis,
    private readonly reader: Redis,
  ) {
    this.daemon = daemonKey(options.dataDir);
    this.lostAfterMs = (options.lostAfterSeconds ?? 15) * 1000;
    this.reading = this.readLoop();
    this.timer = setInterval(() => {
      for (const channel of this.channels) channel.checkAlive(Date.now(), this.lostAfterMs);
    }, 1000);
    this.timer.unref();
  }

  static async open(options: AgentQueueHubOptions): Promise<AgentQueueHub> {
    await checkRedis(options.target);
    const connection = options.target.connection;
    const queue = new Queue(AGENT_QUEUE, { connection, prefix: options.target.prefix });
    await queue.waitUntilReady();
    const commands = new Redis(connection);
    const reader = new Redis(connection);
    for (const client of [commands, reader]) client.on('error', (error) => options.logger.warn({ err: error }, 'queue connection error'));
    return new AgentQueueHub(options, queue, commands, reader);
  }

  /** The channel factory for the supervisor. */
  channel(agent: string, requestTimeoutMs: number): RemoteAgentChannel {
    return new RemoteAgentChannel(this, agent, requestTimeoutMs, this.options.logger.child({ agent }));
  }

  /** Channels with a run under way are checked for life every second. */
  watch(channel: RemoteAgentChannel, watching: boolean): void {
    if (watching) this.channels.add(channel);
    else this.channels.delete(channel);
  }

  /** Starts a generation of `agent`'s run: a new number, marked current, its init stored and its job queued. */
  async begin(agent: string, init: WorkerInit): Promise<GenerationKeys> {
    const base = agentKeyBase(this.options.target.prefix, this.daemon, agent);
    const generation = await this.commands.incr(agentKeys(base, 0).counter);
    const keys = agentKeys(base, generation);
    const data: AgentJobData = { daemon: this.daemon, agent, generation, base };
    await this.commands.multi().set(keys.current, String(generation)).set(keys.init, encode(init), 'EX', INIT_TTL_SECONDS).exec();
    await this.queue.add(AGENT_JOB, data, { jobId: agentJobId(data), attempts: 1, removeOnComplete: true, removeOnFail: { age: 86_400 } });
    return { data, keys };
  }

  /** Ends a generation: no longer current (a worker still hosting it stops), its keys and waiting job removed. */
  async end(data: AgentJobData, keys: AgentKeys): Promise<void> {
    const current = await this.commands.get(keys.current);
    if (current === String(data.generation)) await this.commands.del(keys.current);
    await this.commands.del(keys.init, keys.in, keys.out, keys.hosted);
    const job = await this.queue.getJob(agentJobId(data));
    if (job && (await job.getState()) !== 'active') await job.remove().catch(() => undefined);
  }

  async send(stream: string, message: HostRequest): Promise<void> {
    await this.commands.xadd(stream, '*', FIELD, encode(message));
  }

  /** Follows a worker → daemon stream; returns the function that stops following. */
  follow(stream: string, onMessage: (message: HostMessage) => void): () => void {
    this.streams.set(stream, { lastId: '0', onMessage });
    return () => this.streams.delete(stream);
  }

  private async readLoop(): Promise<void> {
    while (!this.closed) {
      const keys = [...this.streams.keys()];
      if (keys.length === 0) {
        await sleep(100);
        continue;
      }
      let reply: Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
      try {
        reply = (await this.reader.xreadBuffer('COUNT', 500, 'BLOCK', 250, 'STREAMS', ...keys, ...keys.map((key) => this.streams.get(key)!.lastId))) as typeof reply;
      } catch (error) {
        if (this.closed) return;
        this.options.logger.warn({ err: error }, 'reading the agents\' streams failed; retrying');
        await sleep(1000);
        continue;
      }
      for (const [keyBytes, entries] of reply ?? []) {
        const key = keyBytes.toString();
        const follower = this.streams.get(key);
        if (!follower || entries.length === 0) continue;
        const ids: string[] = [];
        for (const [idBytes, fields] of entries) {
          const id = idBytes.toString();
          ids.push(id);
          follower.lastId = id;
          try {
            const message = entryMessage<HostMessage>(fields);
            if (message !== null) follower.onMessage(message);
          } catch (error) {
            this.options.logger.error({ err: error, stream: key }, 'a message from a worker could not be handled');
          }
        }
        // One reader per stream: what it has read is done with.
        void this.commands.xdel(key, ...ids).catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.reader.disconnect();
    await this.reading.catch(() => undefined);
    await this.queue.close();
    await this.commands.quit().catch(() => this.commands.disconnect());
  }
}

/** One generation of the agent's run, from start to its end. */
interface Generation {
  handlers: WorkerHandlers;
  /** Set once the job and keys exist. */
  setup: Promise<GenerationKeys>;
  hosted: boolean;
  lastSeen: number;
  exited: Promise<void>;
  markExited(): void;
  unfollow(): void;
}

export class RemoteAgentChannel implements AgentChannel {
  readonly placement = 'queue';
  host = 'queued';
  private current: Generation | null = null;
  private readonly pending: PendingRequests;

  constructor(
    private readonly hub: AgentQueueHub,
    private readonly agent: string,
    private readonly requestTimeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.pending = new PendingRequests(requestTimeoutMs);
  }

  get running(): boolean {
    return this.current !== null;
  }

  start(init: WorkerInit, handlers: WorkerHandlers): void {
    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const generation: Generation = {
      handlers,
      setup: null as never,
      hosted: false,
      lastSeen: Date.now(),
      exited,
      markExited,
      unfollow: () => undefined,
    };
    this.current = generation;
    this.host = 'queued';
    this.hub.watch(this, true);
    generation.setup = this.hub.begin(this.agent, init).then((started) => {
      generation.unfollow = this.hub.follow(started.keys.out, (message) => this.onMessage(generation, message));
      this.logger.info({ generation: started.data.generation }, 'run queued for a worker');
      return started;
    });
    generation.setup.catch((error: unknown) => {
      if (this.current !== generation) return;
      this.current = null;
      handlers.crash(new PlasticdError('queue_error', `could not queue the agent's run: ${(error as Error).message}`));
    });
  }

  post(request: WorkerRequest): void {
    this.send({ type: 'request', request });
  }

  request(request: WorkerRequest & { requestId: number }, state: string): Promise<unknown> {
    if (!this.current) return Promise.reject(new PlasticdError('invalid_state', `agent '${this.agent}' has no running worker (state ${state})`));
    if (!this.current.hosted) return Promise.reject(new PlasticdError('invalid_state', `agent '${this.agent}' is queued: no worker has taken it yet`));
    return this.pending.open(
      (requestId) => this.send({ type: 'request', request: { ...request, requestId } as WorkerRequest }),
      () => `agent '${this.agent}' (on worker ${this.host}) did not answer '${request.type}' within ${this.requestTimeoutMs} ms`,
    );
  }

  rejectAll(error: Error): void {
    this.pending.rejectAll(error);
  }

  async stop(graceMs: number): Promise<void> {
    const generation = this.current;
    if (!generation) return;
    this.current = null;
    this.rejectAll(new PlasticdError('invalid_state', `agent '${this.agent}' is stopping`));
    const started = await generation.setup.catch(() => null);
    if (started === null) return;
    if (generation.hosted) {
      await this.hub.send(started.keys.in, { type: 'request', request: { type: 'stop' } }).catch(() => undefined);
      const late = await Promise.race([generation.exited.then(() => false), sleep(graceMs).then(() => true)]);
      if (late) await this.hub.send(started.keys.in, { type: 'terminate' }).catch(() => undefined);
    }
    await this.finish(generation, started);
  }

  async terminate(): Promise<void> {
    const generation = this.current;
    if (!generation) return;
    this.current = null;
    const started = await generation.setup.catch(() => null);
    if (started === null) return;
    await this.hub.send(started.keys.in, { type: 'terminate' }).catch(() => undefined);
    await this.finish(generation, started);
  }

  /** Called every second by the hub: a hosted run silent for too long is lost. */
  checkAlive(now: number, lostAfterMs: number): void {
    const generation = this.current;
    if (!generation || !generation.hosted || now - generation.lastSeen <= lostAfterMs) return;
    this.lose(generation, `no word from worker ${this.host} for ${Math.round((now - generation.lastSeen) / 1000)} s`);
  }

  private onMessage(generation: Generation, message: HostMessage): void {
    generation.lastSeen = Date.now();
    if (message.type === 'exit') generation.markExited();
    if (this.current !== generation) return;
    switch (message.type) {
      case 'hello':
        generation.hosted = true;
        this.host = message.worker;
        this.logger.info({ worker: message.worker }, 'a queue worker took the run');
        break;
      case 'heartbeat':
        break;
      case 'thread':
        if (message.message.type === 'reply') this.pending.settle(message.message);
        else generation.handlers.message(message.message);
        break;
      case 'crash':
        generation.handlers.crash(new Error(message.message));
        break;
      case 'exit': {
        this.current = null;
        void generation.setup.then((started) => this.finish(generation, started)).catch(() => undefined);
        generation.handlers.exit(message.code);
        this.rejectAll(new PlasticdError('invalid_state', `the run of agent '${this.agent}' on worker ${this.host} exited`));
        break;
      }
      case 'draining':
        if (generation.handlers.lost) generation.handlers.lost(`worker ${message.worker} is shutting down`, { checkpointFirst: true });
        break;
      case 'orphaned':
        this.lose(generation, `its worker died and the queue handed the job to ${message.worker}`);
        break;
    }
  }

  /** The generation's worker is gone (it cannot checkpoint any more): end it and let the supervisor resume the run elsewhere. */
  private lose(generation: Generation, reason: string): void {
    this.current = null;
    this.logger.warn({ reason }, 'lost the worker running the agent');
    this.rejectAll(new PlasticdError('invalid_state', `agent '${this.agent}' lost its worker: ${reason}`));
    void generation.setup
      .then(async (started) => {
        await this.hub.send(started.keys.in, { type: 'terminate' }).catch(() => undefined);
        await this.finish(generation, started);
      })
      .catch(() => undefined);
    if (generation.handlers.lost) generation.handlers.lost(reason, { checkpointFirst: false });
    else generation.handlers.exit(-1);
  }

  private async finish(generation: Generation, started: GenerationKeys): Promise<void> {
    generation.unfollow();
    if (this.current === null) {
      this.host = 'queued';
      this.hub.watch(this, false);
    }
    await this.hub.end(started.data, started.keys).catch((error: unknown) => this.logger.warn({ err: error }, 'cleaning up the run\'s queue keys failed'));
  }

  private send(message: HostRequest): void {
    const generation = this.current;
    if (!generation) return;
    void generation.setup
      .then((started) => this.hub.send(started.keys.in, message))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'sending to the agent\'s worker failed'));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
