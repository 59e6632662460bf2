/**
 * The supervisor: one worker thread per agent (worker.ts, through worker-channel.ts; or a queue worker
 * process through src/queue/remote-agent-channel.ts, which resumes an agent whose worker died from its
 * last checkpoint on another), lifecycle
 * states with reasons (agent-entry.ts holds what is kept per agent), and
 * persistence through AgentDirectory — spec.json, every event (but `units`, which is feed-only)
 * appended to the run log, checkpoints every `checkpointEverySeconds`, on pause, on request and on
 * shutdown. On start every agent found in the data dir resumes from its last complete checkpoint
 * (the log cut back to it, the event seq continuing, the exporter's counters re-seeded). Events fan
 * out to the run log, the Prometheus exporter, the feed and `onEvent` listeners, in seq order.
 * A failing run (NaN loss, crash, build error) puts only its own agent in `error`.
 */
import type { Logger } from 'pino';
import { describeEnvOf, parseAgentSpec } from '../config/agent-spec.ts';
import type { AgentSpec } from '../config/agent-spec.ts';
import type { CounterTotals, PrometheusExporter } from '../../monitoring/exporters/prometheus.ts';
import type { RunCounters } from '../run/agent-run.ts';
import type { RunEvent, StateEvent, WindowEvent } from '../run/events.ts';
import { PlasticdError } from '../util/errors.ts';
import { AgentDirectory, listAgents } from './store/index.ts';
import type { AgentDetail, AgentPatch, AgentSummary, SupervisorApi } from './supervisor-api.ts';
import type { WorkerInit, WorkerMessage, WorkerRequest } from './worker.ts';
import { agentDetail, agentSummary, newAgentEntry, type AgentEntry } from './agent-entry.ts';
import type { AgentChannelFactory } from './agent-channel.ts';

export interface SupervisorFeed {
  publish(event: RunEvent): unknown;
  forgetAgent(agent: string): void;
}

export interface SupervisorOptions {
  dataDir: string;
  logger: Logger;
  /** tfjs backend for the workers ('auto', 'wasm', 'cpu', …). Default 'auto'. */
  backend?: string;
  /** Seconds between periodic checkpoints of running agents. Default 60. */
  checkpointEverySeconds?: number;
  exporter?: PrometheusExporter;
  feed?: SupervisorFeed;
  version?: string;
  /** Name of the backend the main thread reports (build info). Default: `backend`. */
  backendName?: () => string;
  /** Checkpoints kept per agent. Default 3. */
  keepCheckpoints?: number;
  /** Target wall time of one training chunk in the worker. Default 30 ms. */
  chunkMs?: number;
  /** How long a worker may take to answer a request (checkpoint, reset). Default 60 s. */
  requestTimeoutMs?: number;
  /** Where agents train. Default: a worker thread of this process each (WorkerChannel). */
  channel?: AgentChannelFactory;
}

/** What a checkpoint file holds besides the run's own state. */
interface CheckpointPayload {
  formatVersion: 1;
  run: unknown;
  exporter: CounterTotals | null;
  lifecycle: { paused: boolean; learningRate: number | null };
}

export class Supervisor implements SupervisorApi {
  private readonly agents = new Map<string, AgentEntry>();
  private readonly listeners = new Set<(event: RunEvent) => void>();
  private readonly logger: Logger;
  private readonly startedAt = new Date().toISOString();
  private readonly requestTimeoutMs: number;
  private started = false;
  private closing = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: SupervisorOptions) {
    this.logger = options.logger;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  }

  // ───────────────────────────── start / stop ─────────────────────────────

  /** Resumes every agent in the data dir, then creates the listed ones that are not there yet. */
  async start(initialAgents: readonly unknown[] = []): Promise<void> {
    const listings = await listAgents(this.options.dataDir, { logger: this.logger });
    // Workers start in parallel (each spends seconds loading modules and the tfjs backend).
    await Promise.all(
      listings.map((listing) =>
        this.resumeFromDisk(listing.id, listing.spec).catch((error: unknown) => {
          this.logger.error({ agent: listing.id, err: error }, 'agent could not be resumed');
        }),
      ),
    );
    await Promise.all(
      initialAgents.map((spec) => {
        const id = (spec as { id?: unknown })?.id;
        if (typeof id === 'string' && this.agents.has(id)) return undefined;
        return this.createAgent(spec).catch((error: unknown) => {
          this.logger.error({ agent: id, err: error }, 'configured agent could not be created');
        });
      }),
    );
    const everyMs = Math.max(1, this.options.checkpointEverySeconds ?? 60) * 1000;
    this.timer = setInterval(() => this.checkpointAll(), everyMs);
    this.timer.unref();
    this.started = true;
  }

  /**
   * Stops taking work, checkpoints every live agent, stops the workers and closes the directories,
   * all within `timeoutMs`; after that, workers are terminated without a final checkpoint.
   */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    const graceful = Promise.allSettled(
      [...this.agents.values()].map(async (entry) => {
        if (entry.worker.running && (entry.state === 'running' || entry.state === 'paused')) {
          await this.serial(entry, () => this.checkpointNow(entry, true)).catch((error: unknown) =>
            entry.logger.warn({ err: error }, 'final checkpoint failed'),
          );
        }
        await this.stopWorker(entry, 2000);
        await entry.dir?.close().catch(() => undefined);
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([graceful.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn({ timeoutMs }, 'shutdown timed out; terminating workers without a final checkpoint');
      await Promise.allSettled(
        [...this.agents.values()].map(async (entry) => {
          await entry.worker.terminate();
          await entry.dir?.close().catch(() => undefined);
        }),
      );
    }
  }

  // ───────────────────────────── SupervisorApi ─────────────────────────────

  ready(): boolean {
    return this.started && !this.closing;
  }

  onEvent(listener: (event: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  info(): { name: string; version: string; backend: string; startedAt: string; dataDir: string } {
    return {
      name: 'plasticd',
      version: this.options.version ?? '0.0.0',
      backend: this.options.backendName?.() ?? this.options.backend ?? 'auto',
      startedAt: this.startedAt,
      dataDir: this.options.dataDir,
    };
  }

  listAgents(): AgentSummary[] {
    return [...this.agents.values()].sort((a, b) => a.id.localeCompare(b.id)).map((entry) => agentSummary(entry));
  }

  getAgent(id: string): AgentDetail {
    return agentDetail(this.entry(id));
  }

  async createAgent(input: unknown): Promise<AgentDetail> {
    this.assertOpen();
    const spec = parseAgentSpec(input);
    if (this.agents.has(spec.id)) throw new PlasticdError('agent_exists', `An agent with id '${spec.id}' already exists; delete it first or choose another id.`);
    const raw = structuredClone(input) as Record<string, unknown>;
    const entry = newAgentEntry(spec.id, raw, spec, this.logger, this.requestTimeoutMs, this.options.channel);
    this.agents.set(spec.id, entry);
    try {
      entry.dir = await AgentDirectory.open(this.options.dataDir, spec.id, this.directoryOptions());
      await entry.dir.writeSpec(raw);
      const resume = await entry.dir.resume();
      entry.lastSeq = resume.nextSeq - 1;
      this.startWorker(entry, { restore: null, paused: false });
      await entry.ready;
    } catch (error) {
      this.agents.delete(spec.id);
      await this.stopWorker(entry, 1000);
      if (entry.dir) await entry.dir.remove().catch(() => undefined);
      this.options.exporter?.removeAgent(spec.id);
      throw error;
    }
    if (entry.state === 'error') {
      // The run could not even be built (e.g. a combination the agent cannot honour): refuse the spec.
      const reason = entry.reason ?? 'the run failed to start';
      await this.deleteAgent(spec.id).catch(() => undefined);
      throw new PlasticdError('invalid_spec', `Agent '${spec.id}' could not be started: ${reason}`);
    }
    entry.logger.info({ env: describeEnvOf(spec), agentKind: spec.agent.kind }, 'agent created');
    return agentDetail(entry);
  }

  async patchAgent(id: string, patch: AgentPatch): Promise<AgentDetail> {
    this.assertOpen();
    const entry = this.entry(id);
    await this.serial(entry, async () => {
      let raw = entry.raw;
      if (patch.description !== undefined || patch.resetPolicy !== undefined) {
        raw = structuredClone(entry.raw);
        if (patch.description !== undefined) raw.description = patch.description;
        if (patch.resetPolicy !== undefined) {
          const monitor = (raw.monitor ?? {}) as Record<string, unknown>;
          raw.monitor = { ...monitor, resetPolicy: { ...((monitor.resetPolicy ?? {}) as object), ...(patch.resetPolicy as object) } };
        }
        const spec = parseAgentSpec(raw);
        await entry.dir!.writeSpec(raw);
        entry.raw = raw;
        const policyChanged = patch.resetPolicy !== undefined;
        entry.spec = spec;
        if (policyChanged && entry.worker.running && (entry.state === 'running' || entry.state === 'paused')) {
          // The policy is fixed at build time: rebuild the run from the new spec and restore its state.
          const paused = entry.state === 'paused';
          // Pause first so no event is produced after the snapshot the new run starts from.
          if (!paused) this.post(entry, { type: 'pause' });
          const snapshot = (await this.request(entry, { type: 'checkpoint', requestId: 0 })) as { state: unknown };
          await this.stopWorker(entry, 2000);
          this.startWorker(entry, { restore: snapshot.state, paused });
          await entry.ready;
        }
      }
      if (patch.learningRate !== undefined) {
        entry.learningRate = patch.learningRate;
        if (entry.worker.running && entry.state !== 'error') await this.request(entry, { type: 'set-learning-rate', requestId: 0, learningRate: patch.learningRate });
      }
      entry.logger.info({ patch }, 'agent patched');
    });
    return agentDetail(entry);
  }

  async deleteAgent(id: string): Promise<void> {
    const entry = this.entry(id);
    await this.serial(entry, async () => {
      this.agents.delete(id);
      await this.stopWorker(entry, 2000);
      entry.state = 'stopped';
      if (entry.dir) await entry.dir.remove();
      this.options.exporter?.removeAgent(id);
      this.options.feed?.forgetAgent(id);
      entry.logger.info('agent deleted');
    });
  }

  async pauseAgent(id: string): Promise<AgentSummary> {
    this.assertOpen();
    const entry = this.entry(id);
    await this.serial(entry, async () => {
      if (entry.state !== 'running') throw new PlasticdError('invalid_state', `Agent '${id}' is ${entry.state}; only a running agent can be paused.`);
      this.post(entry, { type: 'pause' });
      entry.state = 'paused';
      entry.reason = undefined;
      await this.checkpointNow(entry);
    });
    return agentSummary(entry);
  }

  async resumeAgent(id: string): Promise<AgentSummary> {
    this.assertOpen();
    const entry = this.entry(id);
    await this.serial(entry, async () => {
      if (entry.state === 'paused' && entry.worker.running) {
        this.post(entry, { type: 'resume' });
        entry.state = 'running';
        entry.reason = undefined;
        return;
      }
      if (entry.state === 'error' || entry.state === 'stopped') {
        // Restart from the last checkpoint (the run's state after a failure is not trustworthy).
        await this.stopWorker(entry, 1000);
        await this.restartFromCheckpoint(entry, false);
        return;
      }
      throw new PlasticdError('invalid_state', `Agent '${id}' is ${entry.state}; only a paused, failed or stopped agent can be resumed.`);
    });
    return agentSummary(entry);
  }

  async checkpointAgent(id: string): Promise<{ step: number; eventSeq: number }> {
    this.assertOpen();
    const entry = this.entry(id);
    return this.serial(entry, () => {
      if (!entry.worker.running || (entry.state !== 'running' && entry.state !== 'paused')) {
        throw new PlasticdError('invalid_state', `Agent '${id}' is ${entry.state}; only a running or paused agent can be checkpointed.`);
      }
      return this.checkpointNow(entry);
    });
  }

  async resetAgentUnits(id: string, request: { network?: string; layer?: number; units?: number }): Promise<{ resets: number }> {
    this.assertOpen();
    const entry = this.entry(id);
    if (!entry.worker.running || (entry.state !== 'running' && entry.state !== 'paused')) {
      throw new PlasticdError('invalid_state', `Agent '${id}' is ${entry.state}; units can be reset only on a running or paused agent.`);
    }
    return (await this.request(entry, { type: 'reset-now', requestId: 0, request })) as { resets: number };
  }

  async windows(id: string, query: { since?: number; limit?: number }): Promise<WindowEvent[]> {
    const entry = this.entry(id);
    if (!entry.dir) return [];
    const since = query.since ?? 0;
    const limit = query.limit ?? 10_000;
    // Window numbers are contiguous from 1 in the log, so the first since+limit windows hold the answer.
    const events = (await entry.dir.runLog.read({ kinds: ['window'], since: 0, limit: since + limit })) as WindowEvent[];
    return events.filter((event) => event.report.window > since).slice(0, limit);
  }

  // ───────────────────────────── internals ─────────────────────────────

  private directoryOptions() {
    return { logger: this.logger, ...(this.options.keepCheckpoints !== undefined ? { keepCheckpoints: this.options.keepCheckpoints } : {}) };
  }

  private async resumeFromDisk(id: string, stored: unknown): Promise<void> {
    const raw = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
    let spec: AgentSpec | null = null;
    let specError: string | null = null;
    try {
      spec = parseAgentSpec(raw);
    } catch (error) {
      specError = (error as Error).message;
    }
    const entry = newAgentEntry(id, raw, spec, this.logger, this.requestTimeoutMs, this.options.channel);
    this.agents.set(id, entry);
    entry.dir = await AgentDirectory.open(this.options.dataDir, id, this.directoryOptions());
    if (spec === null) {
      this.fail(entry, `stored spec is invalid: ${specError}`);
      return;
    }
    await this.restartFromCheckpoint(entry, null);
  }

  /** Loads the newest checkpoint (cutting the log back to it) and starts a worker from it. */
  private async restartFromCheckpoint(entry: AgentEntry, paused: boolean | null): Promise<void> {
    const point = await entry.dir!.resume();
    const payload = point.checkpoint?.payload as CheckpointPayload | undefined;
    entry.lastSeq = point.nextSeq - 1;
    entry.lastWindow = null;
    entry.lastCheckpointStep = point.checkpoint ? point.checkpoint.entry.step : null;
    if (payload?.exporter) this.options.exporter?.restoreCounters(entry.id, payload.exporter);
    if (payload?.lifecycle) entry.learningRate = payload.lifecycle.learningRate;
    const runCounters = (payload?.run as { counters?: RunCounters } | undefined)?.counters;
    if (runCounters) entry.counters = { ...runCounters };
    const lastWindow = await entry.dir!.runLog.read({ kinds: ['window'], limit: 1 }).catch(() => []);
    entry.lastWindow = (lastWindow[0] as WindowEvent | undefined) ?? null;
    const startPaused = paused ?? payload?.lifecycle?.paused ?? false;
    if (point.checkpoint) {
      entry.logger.info({ step: point.checkpoint.entry.step, eventSeq: point.checkpoint.entry.eventSeq, droppedEvents: point.droppedEvents }, 'resuming from checkpoint');
    }
    this.startWorker(entry, { restore: payload?.run ?? null, paused: startPaused });
    await entry.ready;
  }

  private startWorker(entry: AgentEntry, start: { restore: unknown | null; paused: boolean }): void {
    const init: WorkerInit = {
      spec: entry.raw,
      restore: start.restore,
      learningRate: entry.learningRate,
      backend: this.options.backend ?? 'auto',
      paused: start.paused,
      ...(this.options.chunkMs !== undefined ? { chunkMs: this.options.chunkMs } : {}),
    };
    entry.state = 'starting';
    entry.reason = undefined;
    let settle: () => void = () => {};
    entry.ready = new Promise<void>((resolve) => {
      settle = resolve;
    });
    entry.worker.start(init, {
      message: (message) => {
        this.handleMessage(entry, message, start.paused);
        if (message.type === 'ready' || message.type === 'error') settle();
      },
      crash: (error) => {
        entry.logger.error({ err: error }, 'worker crashed');
        this.fail(entry, `worker crashed: ${error.message}`);
        settle();
      },
      exit: (code) => {
        if (entry.state === 'running' || entry.state === 'paused' || entry.state === 'starting') {
          this.fail(entry, `worker exited unexpectedly with code ${code}`);
        }
        settle();
      },
      lost: (reason, { checkpointFirst }) => {
        settle();
        void this.serial(entry, () => this.recoverLostRun(entry, reason, checkpointFirst)).catch((error: unknown) => {
          entry.logger.error({ err: error }, 'could not resume the agent after losing its worker');
          this.fail(entry, `lost its worker (${reason}) and could not resume: ${(error as Error).message}`);
        });
      },
    });
    if (entry.worker.placement === 'queue') {
      // Queued: a worker takes it when one is free, which may take a while; the API answers meanwhile.
      entry.reason = 'queued: waiting for a worker to take it';
      settle();
    }
  }

  /** The run's worker went away (not the run's fault): resume it from its last checkpoint on another one. */
  private async recoverLostRun(entry: AgentEntry, reason: string, checkpointFirst: boolean): Promise<void> {
    if (this.closing || !this.agents.has(entry.id)) return;
    entry.logger.warn({ reason, checkpointFirst }, 'the worker running the agent is gone; resuming from the last checkpoint on another');
    if (checkpointFirst && entry.worker.running && (entry.state === 'running' || entry.state === 'paused')) {
      await this.checkpointNow(entry, true).catch((error: unknown) => entry.logger.warn({ err: error }, 'checkpoint before the hand-over failed; resuming from the previous one'));
    }
    // The agent goes on as it was (a resume or pause since the checkpoint counts, not the checkpoint's).
    const paused = entry.state === 'paused';
    await this.stopWorker(entry, 2000);
    await this.restartFromCheckpoint(entry, paused);
  }

  private handleMessage(entry: AgentEntry, message: Exclude<WorkerMessage, { type: 'reply' }>, startPaused: boolean): void {
    switch (message.type) {
      case 'ready':
        entry.counters = message.counters;
        entry.state = startPaused ? 'paused' : 'running';
        entry.reason = undefined;
        entry.logger.info({ backend: message.backend, steps: message.counters.steps, paused: startPaused }, 'worker ready');
        break;
      case 'events':
        entry.counters = message.counters;
        for (const event of message.events) this.dispatch(entry, event);
        break;
      case 'memory':
        this.options.exporter?.setAgentTfjsMemory(entry.id, { numTensors: message.numTensors, numBytes: message.numBytes });
        break;
      case 'error':
        if (message.counters) entry.counters = message.counters;
        entry.logger.error({ reason: message.reason }, 'run failed; agent is in error');
        this.fail(entry, message.reason);
        void this.stopWorker(entry, 1000);
        break;
      case 'stopped':
        break;
    }
  }

  /** Takes one event in seq order: run log (not units), exporter, feed, listeners. */
  private dispatch(entry: AgentEntry, event: RunEvent): void {
    if (event.seq <= entry.lastSeq) return; // a duplicate after a restart: already handled
    entry.lastSeq = event.seq;
    if (event.kind === 'window') entry.lastWindow = event;
    if (event.kind !== 'units' && entry.dir) {
      try {
        entry.dir.runLog.append(event);
      } catch (error) {
        entry.logger.error({ err: error, seq: event.seq }, 'run log append failed');
      }
    }
    try {
      this.options.exporter?.observe(event);
    } catch (error) {
      entry.logger.warn({ err: error }, 'exporter rejected an event');
    }
    try {
      this.options.feed?.publish(event);
    } catch (error) {
      entry.logger.debug({ err: error }, 'feed rejected an event');
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        entry.logger.warn({ err: error }, 'event listener threw');
      }
    }
  }

  /** Puts the agent in error and records it as a state event (logged, exported, published). */
  private fail(entry: AgentEntry, reason: string): void {
    if (entry.state === 'error') return;
    entry.state = 'error';
    entry.reason = reason;
    const event: StateEvent = { kind: 'state', state: 'error', reason, agent: entry.id, seq: entry.lastSeq + 1, step: entry.counters.steps, time: Date.now() };
    this.dispatch(entry, event);
    entry.worker.rejectAll(new PlasticdError('invalid_state', `agent '${entry.id}' failed: ${reason}`));
  }

  private async checkpointNow(entry: AgentEntry, halt = false): Promise<{ step: number; eventSeq: number }> {
    const value = (await this.request(entry, { type: 'checkpoint', requestId: 0, halt })) as { state: unknown; counters: RunCounters };
    // Every event before the reply has been dispatched (one ordered channel); units are not logged,
    // so the checkpoint covers the log up to its last line.
    const eventSeq = Math.min(value.counters.nextSeq - 1, entry.dir!.runLog.lastSeq);
    const payload: CheckpointPayload = {
      formatVersion: 1,
      run: value.state,
      exporter: this.options.exporter?.counterTotals(entry.id) ?? null,
      lifecycle: { paused: entry.state === 'paused', learningRate: entry.learningRate },
    };
    const step = value.counters.steps;
    await entry.dir!.checkpoint(payload, { step, eventSeq });
    entry.lastCheckpointStep = step;
    entry.logger.debug({ step, eventSeq }, 'checkpoint written');
    return { step, eventSeq };
  }

  private checkpointAll(): void {
    if (this.closing) return;
    for (const entry of this.agents.values()) {
      if (entry.state !== 'running' || !entry.worker.running) continue;
      void this.serial(entry, () => (entry.state === 'running' && entry.worker.running ? this.checkpointNow(entry) : undefined)).catch((error: unknown) =>
        entry.logger.warn({ err: error }, 'periodic checkpoint failed'),
      );
    }
  }

  private post(entry: AgentEntry, request: WorkerRequest): void {
    entry.worker.post(request);
  }

  private request(entry: AgentEntry, request: WorkerRequest & { requestId: number }): Promise<unknown> {
    return entry.worker.request(request, entry.state);
  }

  /** Stops the agent's worker (asked, then terminated after `graceMs`); a live agent becomes 'stopped'. */
  private async stopWorker(entry: AgentEntry, graceMs: number): Promise<void> {
    if (!entry.worker.running) return;
    await entry.worker.stop(graceMs);
    if (entry.state === 'running' || entry.state === 'paused' || entry.state === 'starting') entry.state = 'stopped';
  }

  private serial<T>(entry: AgentEntry, task: () => Promise<T> | T): Promise<T> {
    const next = entry.queue.then(task, task);
    entry.queue = next.catch(() => undefined);
    return next;
  }

  private entry(id: string): AgentEntry {
    const entry = this.agents.get(id);
    if (!entry) throw new PlasticdError('agent_not_found', `No agent with id '${id}'.`);
    return entry;
  }

  private assertOpen(): void {
    if (this.closing) throw new PlasticdError('shutting_down', 'The daemon is shutting down and takes no new work.');
  }
}
