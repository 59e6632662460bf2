/**
 * One agent run: the env (or stream), the agent and its monitor stepped together in synchronous
 * chunks (`runFor`), so the daemon's worker can handle messages between chunks. Tracks episodes,
 * shifts and windows and emits them as run events through one callback; every network update goes
 * through the monitor (references in, trace out, resets applied between updates). `state()` /
 * `restore()` cover everything — env stack, current observation, episode sums, agent, monitor,
 * counters, next event seq — so a restored run continues exactly as the uninterrupted one.
 */
import type { Env, Info } from '../../envs/core.ts';
import { captureEnvState, restoreEnvState } from '../../envs/stateful.ts';
import type { Stream, StreamBatch, StreamState } from '../../envs/streams/stream.ts';
import type { Agent, AgentHooks, AgentStats } from '../../agents/agent.ts';
import { ContinualAgent } from '../../agents/continual.ts';
import type { Monitor, MonitorState } from '../../monitoring/monitor.ts';
import { applyResets } from '../../monitoring/reset/apply-resets.ts';
import type { ResetEvent } from '../../monitoring/reset/reset-event.ts';
import type { ResetPolicy } from '../../monitoring/reset/reset-policy.ts';
import type { WindowReport } from '../../monitoring/types.ts';
import { parseAgentSpec } from '../config/agent-spec.ts';
import type { AgentSpec } from '../config/agent-spec.ts';
import type { StepTrace } from '../nn/types.ts';
import { PlasticdError } from '../util/errors.ts';
import { buildRun } from './build-run.ts';
import { RecentExamples } from './recent-examples.ts';
import type { RecentExamplesState } from './recent-examples.ts';
import type { RunSeeds } from './build-run.ts';
import type { RunEvent } from './events.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A run event before the header fields the run fills in. */
export type RunEventBody = DistributiveOmit<RunEvent, 'agent' | 'seq' | 'time' | 'step'>;

export interface AgentRunOptions {
  /** The agent spec (validated here; defaults filled in). */
  spec: unknown;
  /** Receives every event, in seq order. */
  onEvent?: (event: RunEvent) => void;
  /** Milliseconds since the epoch, for event `time`. Default Date.now. */
  clock?: () => number;
  /** Seconds, for wall-time fields inside reports. Default performance.now()/1000. */
  clockSeconds?: () => number;
  /** The seq of the first event. Default 1; `restore` replaces it with the saved one. */
  nextSeq?: number;
  /** Emit a `units` event per network at each window end. Default true. */
  emitUnits?: boolean;
}

export interface RunCounters {
  /** Env steps (or stream examples) so far. */
  steps: number;
  /** Finished episodes (RL only). */
  episodes: number;
  windows: number;
  shifts: number;
  /** Mean episode return of the latest window with finished episodes (RL), or the latest window's accuracy (classification) or loss (regression). */
  lastReturn: number | null;
  /** Seq the next event will get. */
  nextSeq: number;
}

export interface ResetNowRequest {
  /** Network name; default every watched network. */
  network?: string;
  /** Hidden layer index; default every hidden layer. */
  layer?: number;
  /** Units to reset per layer (the lowest-utility mature ones). Default 1. */
  units?: number;
}

export interface AgentRunState {
  formatVersion: 1;
  agentId: string;
  counters: RunCounters;
  env: { layers: unknown[]; observation: Float32Array | number[] | number | null; needsReset: boolean; firstResetDone: boolean; episodeReturn: number; episodeLength: number } | null;
  stream: StreamState | null;
  /** Recent stream examples for the audit's loss (null for envs, or when the audit is off). */
  recent: RecentExamplesState | null;
  window: { returnSum: number; episodes: number; lossSum: number; updates: number; correct: number; examples: number };
  agent: unknown;
  monitor: MonitorState;
}

interface WindowSums {
  returnSum: number;
  episodes: number;
  lossSum: number;
  updates: number;
  correct: number;
  examples: number;
}

const emptyWindow = (): WindowSums => ({ returnSum: 0, episodes: 0, lossSum: 0, updates: 0, correct: 0, examples: 0 });

export class AgentRun {
  readonly spec: AgentSpec;
  readonly env: Env<any, any> | null;
  readonly stream: Stream | null;
  readonly agent: Agent<any, any>;
  readonly monitor: Monitor;
  readonly seeds: RunSeeds;
  /** The agent's statistics from the latest window end (null before the first window). */
  lastStats: AgentStats | null = null;
  private readonly onEvent: (event: RunEvent) => void;
  private readonly clock: () => number;
  private readonly emitUnits: boolean;
  private readonly probeNetworks: string[];
  private readonly batch: StreamBatch | null;
  private readonly batchSize: number;
  private readonly recent: RecentExamples | null;
  private tally: RunCounters;
  private window: WindowSums = emptyWindow();
  // RL episode state.
  private observation: any = null;
  private needsReset = true;
  private firstResetDone = false;
  private episodeReturn = 0;
  private episodeLength = 0;
  private disposed = false;

  constructor(options: AgentRunOptions) {
    this.spec = parseAgentSpec(options.spec);
    this.onEvent = options.onEvent ?? (() => {});
    this.clock = options.clock ?? Date.now;
    this.emitUnits = options.emitUnits ?? true;
    const nextSeq = options.nextSeq ?? 1;
    if (!Number.isInteger(nextSeq) || nextSeq < 1) throw new PlasticdError('invalid_argument', `nextSeq must be a positive integer, got ${String(nextSeq)}`);
    this.tally = { steps: 0, episodes: 0, windows: 0, shifts: 0, lastReturn: null, nextSeq };
    const hooks: AgentHooks = {
      references: (network) => this.monitor.references(network),
      onTrace: (trace) => this.handleTrace(trace),
    };
    const built = buildRun(this.spec, { hooks, ...(options.clockSeconds ? { clockSeconds: options.clockSeconds } : {}) });
    this.env = built.env;
    this.stream = built.stream;
    this.agent = built.agent;
    this.monitor = built.monitor;
    this.seeds = built.seeds;
    if (this.stream && !(this.agent instanceof ContinualAgent)) {
      throw new PlasticdError('invalid_spec', `a stream needs the 'continual' agent, got '${this.agent.kind}'`);
    }
    this.batchSize = this.spec.stream?.batchSize ?? 1;
    this.batch = this.stream ? this.stream.allocateBatch(this.batchSize) : null;
    this.recent =
      this.stream && this.monitor.config.audit !== null
        ? new RecentExamples(this.stream.inputSize, this.stream.targetSize, this.monitor.config.probeSize, this.stream.kind === 'classification')
        : null;
    // Probe rows are what the run loop sees (raw observations / stream inputs), recorded for every network of that input size.
    // Agents that normalise observations themselves (stream AC; PPO with normalizeObservations) train on other rows.
    const inputSize = this.stream ? this.stream.inputSize : observationSize(this.env!);
    this.probeNetworks = Object.values(this.agent.networks())
      .filter((network) => network.spec.inputSize === inputSize)
      .map((network) => network.name);
  }

  /** Steps, episodes, windows, shifts, last return and the next event seq. */
  counters(): RunCounters {
    return { ...this.tally };
  }

  /**
   * Runs `steps` env steps (or stream examples, rounded up to whole batches) synchronously,
   * emitting events as they happen. Throws PlasticdError('non_finite_loss') when an update's loss
   * is NaN or infinite (the run is then in an undefined state: restore a checkpoint).
   */
  runFor(steps: number): RunCounters {
    this.checkLive();
    if (!Number.isInteger(steps) || steps < 0) throw new PlasticdError('invalid_argument', `runFor needs a non-negative integer step count, got ${String(steps)}`);
    if (this.stream) {
      for (let done = 0; done < steps; done += this.batchSize) this.streamStep();
    } else {
      for (let done = 0; done < steps; done++) this.envStep();
    }
    return this.counters();
  }

  // ───────────────────────────── RL ─────────────────────────────

  private envStep(): void {
    const env = this.env!;
    if (this.needsReset) this.resetEnv();
    const observation = this.observation;
    const action = this.agent.act(observation);
    const result = env.step(action);
    this.tally.steps++;
    this.episodeReturn += result.reward;
    this.episodeLength++;
    for (const name of this.probeNetworks) this.monitor.recordInputs(name, observation, 1);
    this.agent.observe({
      observation,
      action,
      reward: result.reward,
      nextObservation: result.observation,
      terminated: result.terminated,
      truncated: result.truncated,
    });
    this.noteShift(result.info);
    if (result.terminated || result.truncated) {
      this.tally.episodes++;
      this.window.returnSum += this.episodeReturn;
      this.window.episodes++;
      this.emit({ kind: 'episode', episode: this.tally.episodes, return: this.episodeReturn, length: this.episodeLength, terminated: result.terminated });
      this.needsReset = true;
    } else {
      this.observation = result.observation;
    }
    if (this.monitor.windowDue(this.tally.steps)) this.endWindow();
  }

  private resetEnv(): void {
    const result = this.env!.reset(this.firstResetDone ? undefined : { seed: this.seeds.env });
    this.firstResetDone = true;
    this.needsReset = false;
    this.observation = result.observation;
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.noteShift(result.info);
  }

  private noteShift(info: Info): void {
    const shift = info?.shift as { kind?: unknown; params?: unknown } | undefined;
    if (!shift || typeof shift !== 'object') return;
    this.tally.shifts++;
    const params = shift.params && typeof shift.params === 'object' ? structuredClone(shift.params as Record<string, unknown>) : {};
    this.emit({ kind: 'shift', shift: this.tally.shifts, shiftKind: String(shift.kind ?? 'unknown'), params });
  }

  // ───────────────────────────── streams ─────────────────────────────

  private streamStep(): void {
    const stream = this.stream!;
    const batch = stream.nextBatch(this.batchSize, this.batch!);
    const before = this.tally.steps;
    for (const { index, shift } of batch.shifts) {
      // Stamped with the example that starts the new task (1-based), not the end of the batch.
      this.tally.steps = before + index + 1;
      this.tally.shifts++;
      this.emit({ kind: 'shift', shift: this.tally.shifts, shiftKind: shift.kind, params: structuredClone(shift.params) });
    }
    this.tally.steps = before + this.batchSize;
    for (const name of this.probeNetworks) this.monitor.recordInputs(name, batch.inputs, this.batchSize);
    this.recent?.push(batch.inputs, batch.targets, batch.labels, this.batchSize);
    const result = (this.agent as ContinualAgent).learn(batch);
    this.window.lossSum += result.loss;
    this.window.updates++;
    this.window.correct += result.correct;
    this.window.examples += result.batchSize;
    const length = this.spec.windowLength;
    if (Math.floor(this.tally.steps / length) > Math.floor(before / length)) this.endWindow();
  }

  // ───────────────────────────── monitor wiring ─────────────────────────────

  private handleTrace(trace: StepTrace): void {
    if (!Number.isFinite(trace.loss)) {
      throw new PlasticdError(
        'non_finite_loss',
        `network '${trace.network}' produced a loss of ${trace.loss} at update ${trace.step} (agent step ${this.tally.steps}); lower the learning rate or restore a checkpoint`,
        { network: trace.network, update: trace.step, step: this.tally.steps },
      );
    }
    const events = this.monitor.onStep(trace);
    for (const reset of events) this.emit({ kind: 'reset', reset });
  }

  private endWindow(): void {
    const w = this.window;
    const performance: WindowReport['performance'] = {};
    if (this.stream) {
      performance.loss = w.updates > 0 ? w.lossSum / w.updates : NaN;
      if (this.stream.kind === 'classification') performance.accuracy = w.examples > 0 ? w.correct / w.examples : NaN;
      this.tally.lastReturn = performance.accuracy ?? performance.loss;
    } else {
      performance.episodes = w.episodes;
      if (w.episodes > 0) {
        performance.episodeReturn = w.returnSum / w.episodes;
        this.tally.lastReturn = performance.episodeReturn;
      }
    }
    this.lastStats = this.agent.takeStats();
    const heldOut = this.recent?.heldOut();
    const report = this.monitor.onWindow({
      step: this.tally.steps,
      performance,
      ...(heldOut ? { heldOut: Object.fromEntries(this.probeNetworks.map((name) => [name, heldOut])) } : {}),
    });
    this.tally.windows++;
    this.window = emptyWindow();
    this.emit({ kind: 'window', report });
    if (this.emitUnits) {
      for (const name of this.monitor.networkNames) this.emit({ kind: 'units', ...this.monitor.unitsSnapshot(name) });
    }
  }

  /**
   * Resets units now (between updates): per chosen layer, the `units` mature units with the lowest
   * utility of the monitor's selection criterion. Emits a reset event per layer; returns the count.
   */
  resetNow(request: ResetNowRequest = {}): { resets: number } {
    this.checkLive();
    const count = request.units ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new PlasticdError('invalid_argument', `units must be a positive integer, got ${String(request.units)}`);
    const networks = this.agent.networks();
    const names = request.network === undefined ? this.monitor.networkNames : [request.network];
    let resets = 0;
    for (const name of names) {
      const network = Object.values(networks).find((n) => n.name === name) ?? networks[name];
      if (!network) {
        throw new PlasticdError('unknown_network', `agent '${this.spec.id}' has no network '${name}'; it has ${this.monitor.networkNames.join(', ')}`);
      }
      if (request.layer !== undefined && (!Number.isInteger(request.layer) || request.layer < 0 || request.layer >= network.hiddenLayers.length)) {
        throw new PlasticdError('invalid_argument', `network '${name}' has hidden layers 0..${network.hiddenLayers.length - 1}, got layer ${String(request.layer)}`);
      }
      const tracker = this.monitor.tracker(name);
      const maturity = this.monitor.config.resetPolicy.maturityThreshold;
      const policyKind = this.monitor.config.resetPolicy.kind === 'threshold' ? 'threshold' : 'replacement-rate';
      const onDemand: ResetPolicy = {
        kind: policyKind,
        maturityThreshold: maturity,
        choose: (layer, slot) => {
          if (request.layer !== undefined && layer.index !== request.layer) return null;
          const scores = layer.corrected(slot, new Float64Array(layer.units));
          const mature: number[] = [];
          for (let i = 0; i < layer.units; i++) if (layer.ages[i] > maturity) mature.push(i);
          mature.sort((a, b) => (scores[a] === scores[b] ? a - b : scores[a] < scores[b] ? -1 : 1));
          const units = mature.slice(0, count);
          return units.length === 0 ? null : { units, scores: units.map((i) => scores[i]) };
        },
      };
      const events: readonly ResetEvent[] = tracker.selectResets(onDemand);
      applyResets(network, tracker, events);
      for (const reset of events) {
        resets += reset.units.length;
        this.emit({ kind: 'reset', reset });
      }
    }
    return { resets };
  }

  // ───────────────────────────── events ─────────────────────────────

  private emit(body: RunEventBody): void {
    const event = { ...body, agent: this.spec.id, seq: this.tally.nextSeq++, step: this.tally.steps, time: this.clock() } as RunEvent;
    this.onEvent(event);
  }

  /** Emits a `state` event (the daemon's lifecycle changes go through the same seq). */
  emitState(state: 'starting' | 'running' | 'paused' | 'error' | 'stopped', reason?: string): void {
    this.emit(reason === undefined ? { kind: 'state', state } : { kind: 'state', state, reason });
  }

  // ───────────────────────────── checkpoints ─────────────────────────────

  /** Everything, JSON-able apart from typed arrays (encode with the checkpoint codec). */
  state(): AgentRunState {
    this.checkLive();
    return {
      formatVersion: 1,
      agentId: this.spec.id,
      counters: { ...this.tally },
      env: this.env
        ? {
            layers: structuredClone(captureEnvState(this.env)),
            observation: copyObservation(this.observation),
            needsReset: this.needsReset,
            firstResetDone: this.firstResetDone,
            episodeReturn: this.episodeReturn,
            episodeLength: this.episodeLength,
          }
        : null,
      stream: this.stream ? this.stream.streamState() : null,
      recent: this.recent ? this.recent.state() : null,
      window: { ...this.window },
      agent: this.agent.state(),
      monitor: this.monitor.state(),
    };
  }

  /** Restores a `state()` taken from a run built from the same spec. */
  restore(value: unknown): void {
    this.checkLive();
    const state = value as AgentRunState;
    if (state?.formatVersion !== 1 || !state.counters || !state.monitor) {
      throw new PlasticdError('invalid_run_state', 'Not an agent-run state (expected formatVersion 1 with counters, agent and monitor).');
    }
    if (state.agentId !== this.spec.id) {
      throw new PlasticdError('run_state_mismatch', `the state is of agent '${state.agentId}', this run is '${this.spec.id}'`);
    }
    if ((state.env === null) !== (this.env === null) || (state.stream === null) !== (this.stream === null)) {
      throw new PlasticdError('run_state_mismatch', 'the state was saved from a run with a different env/stream; rebuild the run from the saved spec');
    }
    this.agent.restore(state.agent);
    this.monitor.restore(state.monitor);
    if (this.env && state.env) {
      restoreEnvState(this.env, state.env.layers);
      this.observation = copyObservation(state.env.observation);
      this.needsReset = state.env.needsReset;
      this.firstResetDone = state.env.firstResetDone;
      this.episodeReturn = state.env.episodeReturn;
      this.episodeLength = state.env.episodeLength;
    }
    if (this.stream && state.stream) this.stream.restoreStreamState(state.stream);
    if (this.recent && state.recent) this.recent.restore(state.recent);
    this.tally = { ...state.counters };
    this.window = { ...state.window };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.monitor.dispose();
    this.agent.dispose();
    this.env?.close();
  }

  private checkLive(): void {
    if (this.disposed) throw new PlasticdError('run_disposed', `the run of agent '${this.spec.id}' was disposed`);
  }
}

function observationSize(env: Env<any, any>): number {
  const space = env.observationSpace as { size?: number };
  return typeof space.size === 'number' ? space.size : -1;
}

function copyObservation<T>(observation: T): T {
  if (ArrayBuffer.isView(observation)) return (observation as unknown as Float32Array).slice() as unknown as T;
  if (Array.isArray(observation)) return [...observation] as unknown as T;
  return observation;
}
