/**
 * The plasticity monitor of one agent (DESIGN.md "Monitor"): per watched network a UnitTracker fed
 * by every StepTrace, a reset policy applied between updates (every reset becomes a ResetEvent), a
 * probe buffer of recent inputs, and at each window end a WindowReport — activation metrics on the
 * probe batch, weights and drift, gradient/update norms, utility summaries, GXD-F, the Gauss–Newton
 * curvature and, every K windows, the reset audit. Knows nothing about Prometheus, websockets or
 * HTTP. GXD-F and the audit run on copies, so monitoring never moves a network's parameters or RNG;
 * only resets change training.
 */
import type { AgentHooks } from '../agents/agent.ts';
import { parseMonitorConfig } from '../src/config/monitor-config.ts';
import type { MonitorConfig, MonitorConfigInput } from '../src/config/monitor-config.ts';
import type { Network, OutputLoss, StepTrace } from '../src/nn/types.ts';
import { PlasticdError } from '../src/util/errors.ts';
import type { Rng, RngState } from '../src/util/rng.ts';
import { curvatureProbe } from './curvature-probe.ts';
import { weightMetrics } from './metrics/weight-metrics.ts';
import { ProbeBuffer } from './probe-buffer.ts';
import type { ProbeBufferState } from './probe-buffer.ts';
import { applyResets } from './reset/apply-resets.ts';
import { createResetPolicy } from './reset/create-reset-policy.ts';
import type { ResetEvent } from './reset/reset-event.ts';
import type { ResetPolicy } from './reset/reset-policy.ts';
import { UnitTracker } from './reset/unit-tracker.ts';
import type { UnitTrackerState } from './reset/unit-tracker.ts';
import { OUTPUT_GXD, runResetAudit } from './reset-audit.ts';
import type { ResetAuditResult } from './reset-audit.ts';
import type { LayerWindowMetrics, NetworkWindowMetrics, ResetAuditReport, UtilitySummary, WindowReport } from './types.ts';
import { WindowAccumulator, layerWindowMetrics, summarize } from './window-report.ts';
import type { WindowAccumulatorState } from './window-report.ts';

export interface MonitorOptions {
  /** The networks to watch, e.g. `agent.networks()`. Each is known by its `name` (and its key here). */
  networks: Record<string, Network>;
  /** The `monitor` block of the agent spec; missing keys take their defaults. */
  config?: MonitorConfigInput;
  /** Seeds the trackers (forked per network, in key order) and the audit's unit sample. */
  rng: Rng;
  /** Seconds, for `WindowReport.durationSeconds` only. Default performance.now()/1000. */
  clock?: () => number;
}

/** A labelled batch the audit measures the realised loss change on. */
export interface HeldOutBatch {
  input: Float32Array;
  batchSize: number;
  loss: OutputLoss;
}

export interface WindowInput {
  /** Agent step at the end of the window. */
  step: number;
  /** Online performance over the window, as measured by the run loop. */
  performance?: WindowReport['performance'];
  /** Per network (name or key), a held-out batch with its loss for the audit; RL agents may give none. */
  heldOut?: Record<string, HeldOutBatch>;
}

/** Payload of the `units` run event: per hidden layer the selection criterion's utilities and the unit ages. */
export interface UnitsSnapshot {
  network: string;
  layers: Array<{ layer: string; index: number; criterion: string; utilities: number[]; ages: number[] }>;
}

export interface MonitorState {
  formatVersion: 1;
  /** Windows completed. */
  window: number;
  rng: RngState;
  networks: Record<string, { tracker: UnitTrackerState; probe: ProbeBufferState; window: WindowAccumulatorState }>;
}

interface Watched {
  network: Network;
  tracker: UnitTracker;
  probe: ProbeBuffer;
  window: WindowAccumulator;
  /** A copy GXD-F and the audit run on, re-synchronised from `network` each time (null until first needed). */
  scratch: Network | null;
}

const NO_EVENTS: readonly ResetEvent[] = Object.freeze([]);

export class Monitor {
  readonly config: MonitorConfig;
  private readonly watched = new Map<string, Watched>();
  private readonly aliases = new Map<string, string>();
  private readonly policy: ResetPolicy | null;
  private readonly rng: Rng;
  private readonly clock: () => number;
  private windows = 0;
  private audits: ResetAuditResult[] = [];
  private disposed = false;

  constructor(options: MonitorOptions) {
    this.config = parseMonitorConfig(options.config ?? {});
    this.rng = options.rng;
    this.clock = options.clock ?? (() => performance.now() / 1000);
    const policy = this.config.resetPolicy;
    this.policy = policy.kind === 'none' ? null : createResetPolicy({ ...policy, kind: policy.kind });
    const keys = Object.keys(options.networks).sort();
    if (keys.length === 0) throw new PlasticdError('invalid_monitor', 'The monitor needs at least one network to watch.');
    for (const key of keys) {
      const network = options.networks[key];
      if (this.watched.has(network.name)) {
        throw new PlasticdError('invalid_monitor', `Two watched networks are both named '${network.name}'; network names must be unique.`);
      }
      const tracker = UnitTracker.forNetwork(network, this.rng.fork(), {
        decay: this.config.decay,
        reference: this.config.reference,
        criterion: policy.criterion,
        criteria: this.config.criteria,
      });
      this.watched.set(network.name, {
        network,
        tracker,
        probe: new ProbeBuffer(network.spec.inputSize, this.config.probeSize),
        window: new WindowAccumulator(network.hiddenLayers.length),
        scratch: null,
      });
      this.aliases.set(key, network.name);
    }
  }

  /** Names of the watched networks (Network.name), sorted. */
  get networkNames(): string[] {
    return [...this.watched.keys()];
  }

  /** Windows completed so far. */
  get windowCount(): number {
    return this.windows;
  }

  /** Whether the run loop should call `onWindow` after agent step `step`. */
  windowDue(step: number): boolean {
    return step > 0 && step % this.config.windowLength === 0;
  }

  /** The GXD reference per hidden layer for the network's next trainStep (owned by the monitor; do not modify). */
  references(network: string): readonly Float32Array[] | undefined {
    return this.lookup(network)?.tracker.references();
  }

  /** The tracker of a network (read its utilities, ages, ā). */
  tracker(network: string): UnitTracker {
    return this.entry(network).tracker;
  }

  /**
   * Agent hooks wired to this monitor: references for each trainStep, and `onStep` after each
   * update; `onResets` receives the reset events of each step that had any.
   */
  hooks(onResets?: (events: readonly ResetEvent[]) => void): AgentHooks {
    return {
      references: (network) => this.references(network),
      onTrace: (trace) => {
        const events = this.onStep(trace);
        if (events.length > 0) onResets?.(events);
      },
    };
  }

  /** One training step of one network: update its utilities, then choose and apply resets (between updates). */
  onStep(trace: StepTrace): readonly ResetEvent[] {
    const watched = this.entry(trace.network);
    watched.tracker.update(trace);
    watched.window.addStep(trace);
    if (this.policy === null) return NO_EVENTS;
    const events = watched.tracker.selectResets(this.policy);
    if (events.length === 0) return NO_EVENTS;
    applyResets(watched.network, watched.tracker, events);
    watched.window.addResets(events);
    return events;
  }

  /** Keeps the latest `probeSize` input rows the network saw (row-major [batchSize × inputSize]). */
  recordInputs(network: string, rows: ArrayLike<number>, batchSize: number): void {
    this.entry(network).probe.push(rows, batchSize);
  }

  /** Ends a window: computes the report of every watched network and starts the next window. */
  onWindow(input: WindowInput): WindowReport {
    this.checkLive();
    const started = this.clock();
    this.windows++;
    const curvature = this.config.curvature;
    const curvatureDue = curvature !== null && this.windows % curvature.everyWindows === 0;
    const audit = this.config.audit;
    const auditDue = audit !== null && this.windows % audit.everyWindows === 0;
    const networks: NetworkWindowMetrics[] = [];
    const layers: LayerWindowMetrics[] = [];
    const audits: ResetAuditReport[] = [];
    const details: ResetAuditResult[] = [];
    for (const [name, watched] of this.watched) {
      const { network, tracker, probe } = watched;
      const samples = probe.size;
      const rows = samples > 0 ? probe.rows() : null;
      const activations = rows ? network.forwardWithActivations(rows, samples).activations : null;
      const outputGxd = this.config.outputGxd && rows ? synced(watched).outputGxd(rows, samples, tracker.references()) : null;
      const weights = weightMetrics(network.layerWeights(), network.initialLayerWeights());
      network.hiddenLayers.forEach((info, l) => {
        const utilities: Record<string, UtilitySummary> = {};
        for (const criterion of tracker.config.criteria) utilities[criterion] = summarize(tracker.utilities(l, criterion));
        if (outputGxd) utilities[OUTPUT_GXD] = summarize(outputGxd[l]);
        layers.push(
          layerWindowMetrics({
            network: name,
            layer: info.name,
            index: l,
            units: info.units,
            activation: info.activation,
            activations: activations ? activations[l] : null,
            samples,
            weightMagnitude: weights.layers[l].meanAbsWeight,
            utilities,
            resets: watched.window.layerResets[l],
          }),
        );
      });
      let curvatureSrank: number | null = null;
      if (curvatureDue && rows && curvature) {
        const count = Math.min(curvature.samples, samples);
        curvatureSrank = curvatureProbe(network, rows.subarray((samples - count) * network.spec.inputSize), count).srank;
      }
      networks.push({
        network: name,
        weightMagnitude: weights.meanAbsParameter,
        drift: weights.relativeDistanceFromInitial ?? NaN,
        curvatureSrank,
        ...watched.window.means(),
      });
      if (auditDue && audit) {
        const heldOut = this.heldOutFor(name, input.heldOut);
        const batch = heldOut ?? (rows ? { input: rows, batchSize: samples, loss: undefined } : null);
        if (batch) {
          const result = runResetAudit({
            network,
            tracker,
            input: batch.input,
            batchSize: batch.batchSize,
            loss: batch.loss,
            units: audit.units,
            rng: this.rng,
            outputGxd: this.config.outputGxd,
            scratch: synced(watched),
          });
          audits.push(result.report);
          details.push(result);
        }
      }
      watched.window.clear();
    }
    if (auditDue) this.audits = details;
    return {
      window: this.windows,
      step: input.step,
      networks,
      layers,
      performance: { ...(input.performance ?? {}) },
      audit: audits,
      durationSeconds: this.clock() - started,
    };
  }

  /** Per-unit detail of the latest audit (every audited unit's predictions and realised costs). */
  lastAudit(): readonly ResetAuditResult[] {
    return this.audits;
  }

  /** The selection criterion's bias-corrected utilities and the ages of every hidden unit (the `units` event). */
  unitsSnapshot(network: string): UnitsSnapshot {
    const { network: net, tracker } = this.entry(network);
    const criterion = tracker.config.criterion;
    return {
      network: net.name,
      layers: net.hiddenLayers.map((info, l) => ({
        layer: info.name,
        index: l,
        criterion,
        utilities: Array.from(tracker.utilities(l, criterion)),
        ages: Array.from(tracker.ages(l)),
      })),
    };
  }

  /** Everything needed to continue exactly: trackers (with their RNGs), probe buffers, window sums, counters, RNG. */
  state(): MonitorState {
    this.checkLive();
    const networks: MonitorState['networks'] = {};
    for (const [name, watched] of this.watched) {
      networks[name] = { tracker: watched.tracker.state(), probe: watched.probe.state(), window: watched.window.state() };
    }
    return { formatVersion: 1, window: this.windows, rng: this.rng.state(), networks };
  }

  /** Restores a snapshot taken from a monitor with the same networks and config. */
  restore(state: MonitorState): void {
    this.checkLive();
    if (state.formatVersion !== 1) {
      throw new PlasticdError('invalid_monitor_state', `Unsupported monitor state format ${state.formatVersion}; expected 1.`);
    }
    const saved = Object.keys(state.networks).sort();
    const mine = [...this.watched.keys()].sort();
    if (saved.join('\u0000') !== mine.join('\u0000')) {
      throw new PlasticdError(
        'monitor_state_mismatch',
        `Saved monitor state watches [${saved.join(', ')}]; this monitor watches [${mine.join(', ')}].`,
      );
    }
    for (const [name, watched] of this.watched) {
      const data = state.networks[name];
      watched.tracker.restore(data.tracker);
      watched.probe.restore(data.probe);
      watched.window.restore(data.window);
    }
    this.windows = state.window;
    this.rng.restore(state.rng);
    this.audits = [];
  }

  /** Frees the scratch copies and drops references to the networks (which belong to the agent). */
  dispose(): void {
    for (const watched of this.watched.values()) watched.scratch?.dispose();
    this.disposed = true;
    this.watched.clear();
    this.audits = [];
  }

  private heldOutFor(name: string, heldOut: WindowInput['heldOut']): HeldOutBatch | null {
    if (!heldOut) return null;
    if (heldOut[name]) return heldOut[name];
    for (const [key, target] of this.aliases) if (target === name && heldOut[key]) return heldOut[key];
    return null;
  }

  private entry(network: string): Watched {
    this.checkLive();
    const watched = this.lookup(network);
    if (!watched) {
      throw new PlasticdError('unknown_network', `The monitor watches no network '${network}'; it watches ${[...this.watched.keys()].join(', ')}.`);
    }
    return watched;
  }

  /** By Network.name first, then by the key it was given under. */
  private lookup(network: string): Watched | undefined {
    return this.watched.get(network) ?? this.watched.get(this.aliases.get(network) ?? '');
  }

  private checkLive(): void {
    if (this.disposed) throw new PlasticdError('monitor_disposed', 'This monitor was disposed; create a new one.');
  }
}

/**
 * The watched network's scratch copy, brought to the network's current state (parameters,
 * optimizer, RNG). The first call clones; later calls copy into the same copy (`copyFrom`), which
 * reuses its arrays and its probe-sized activation buffers instead of allocating them every window.
 */
function synced(watched: Watched): Network {
  if (watched.scratch === null) watched.scratch = watched.network.clone();
  else watched.scratch.copyFrom(watched.network);
  return watched.scratch;
}
