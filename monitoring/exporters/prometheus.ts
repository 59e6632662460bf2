/**
 * Prometheus exporter: turns run events (src/run/events.ts) into prom-client metrics on a registry
 * the app owns (never the global one). Families and help strings are in prometheus-metrics.ts.
 * Point-in-time process values (build info, tfjs memory, feed stats) are read by collect() at scrape
 * time; everything per agent is set when its event arrives, so a scrape only formats text.
 *
 * Counters and restarts: env steps, episodes and windows follow the step / episode / window index
 * the events carry, so they continue from the checkpoint after a restart by themselves; shifts,
 * updates and resets are re-seeded with `restoreCounters` (totals from `counterTotals` stored with
 * the checkpoint). Counters never go backwards within a process: a rewind (a worker resumed from an
 * older checkpoint) counts the re-done work again. Across processes Prometheus treats a lower value
 * as a counter reset, so rate()/increase() stay meaningful; one window after a restart may over-count.
 */
import { Gauge } from 'prom-client';
import type { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import type { AgentState, EpisodeEvent, RunEvent, ShiftEvent, WindowEvent } from '../../src/run/events.ts';
import type { ResetEvent } from '../types.ts';
import { UTILITY_STATISTICS, createAgentMetrics } from './prometheus-metrics.ts';
import type { AgentMetrics } from './prometheus-metrics.ts';
import { registerFeedStats, registerProcessMetrics, registerTfjsMemory } from './process-metrics.ts';
import type { FeedStats, TfjsMemory } from './process-metrics.ts';

export type { FeedStats, TfjsMemory } from './process-metrics.ts';

export const AGENT_STATES: readonly AgentState[] = ['starting', 'running', 'paused', 'error', 'stopped'];

export interface PrometheusExporterOptions {
  registry: Registry;
  /** plasticd version, for plasticd_build_info. */
  version: string;
  /** Current tfjs backend name (read at scrape time). */
  backend: () => string;
  /** Where the envs' sin/cos/pow come from: 'host' (the C library, as Gymnasium) or 'javascript'. Default 'javascript'. */
  libm?: string;
  /** tf.memory() of the main thread; omit to leave plasticd_tfjs_* out. */
  tfMemory?: () => TfjsMemory;
  /** The websocket feed's counters; omit to leave plasticd_feed_* out. */
  feedStats?: () => FeedStats;
  /** Register Node's default process_* / nodejs_* metrics on the registry. Default true. */
  defaultMetrics?: boolean;
}

/** Counter totals of one agent, to store with a checkpoint and hand back to `restoreCounters`. */
export interface CounterTotals {
  envSteps: number;
  episodes: number;
  windows: number;
  /** Per shift kind. */
  shifts: Record<string, number>;
  /** Per network. */
  updates: Record<string, number>;
  resets: Array<{ network: string; layer: string; criterion: string; events: number; units: number }>;
  /** Time (ms since the epoch) of the latest shift, or null for none. */
  lastShiftTime: number | null;
}

type AnyMetric = Gauge<string> | Counter<string>;
type LabelSet = Record<string, string>;

interface Series {
  metric: AnyMetric;
  labels: LabelSet;
  value: number;
}

/** Follows a monotone mark (step, episode or window index) carried by events. */
interface Mark {
  last: number | null;
}

/** Everything the exporter knows about one agent: its series (for removal) and counting state. */
interface AgentBook {
  series: Map<string, Series>;
  steps: Mark;
  episodes: Mark;
  windows: Mark;
  previousWindow: { time: number; step: number } | null;
  lastShiftTime: number | null;
}

export class PrometheusExporter {
  private readonly metrics: AgentMetrics;
  private readonly agents = new Map<string, AgentBook>();

  constructor(options: PrometheusExporterOptions) {
    const { registry } = options;
    this.metrics = createAgentMetrics(registry);
    new Gauge({
      name: 'plasticd_build_info',
      help: 'Constant 1 with the plasticd version, the tfjs backend and the envs\' libm (host: bit-identical to Gymnasium on this machine) as labels.',
      labelNames: ['version', 'backend', 'libm'] as const,
      registers: [registry],
      collect() {
        this.reset();
        this.set({ version: options.version, backend: options.backend(), libm: options.libm ?? 'javascript' }, 1);
      },
    });
    if (options.tfMemory) registerTfjsMemory(registry, options.tfMemory);
    if (options.feedStats) registerFeedStats(registry, options.feedStats);
    if (options.defaultMetrics ?? true) registerProcessMetrics(registry);
  }

  /** Updates the metrics from one run event. `units` events are feed-only and ignored here. */
  observe(event: RunEvent): void {
    switch (event.kind) {
      case 'window':
        this.observeWindow(event);
        break;
      case 'reset':
        this.observeReset(event.agent, event.reset);
        break;
      case 'episode':
        this.observeEpisode(event);
        break;
      case 'shift':
        this.observeShift(event);
        break;
      case 'state':
        this.setAgentState(event.agent, event.state);
        break;
      case 'units':
        break;
    }
  }

  /** One series per state; the current one is 1. */
  setAgentState(agent: string, state: AgentState): void {
    this.book(agent);
    for (const candidate of AGENT_STATES) {
      this.set(agent, this.metrics.agentState, { agent, state: candidate }, candidate === state ? 1 : 0);
    }
  }

  /** tf.memory() of the agent's worker, as the worker reports it. */
  setAgentTfjsMemory(agent: string, memory: TfjsMemory): void {
    this.set(agent, this.metrics.agentTfjsTensors, { agent }, memory.numTensors);
    this.set(agent, this.metrics.agentTfjsBytes, { agent }, memory.numBytes);
  }

  /** Removes every series labelled with this agent (call when the agent is deleted). */
  removeAgent(agent: string): void {
    const book = this.agents.get(agent);
    if (!book) return;
    for (const series of book.series.values()) series.metric.remove(series.labels);
    this.agents.delete(agent);
  }

  /** The agent's counter totals now, to store with a checkpoint. */
  counterTotals(agent: string): CounterTotals {
    const book = this.agents.get(agent);
    const totals: CounterTotals = { envSteps: 0, episodes: 0, windows: 0, shifts: {}, updates: {}, resets: [], lastShiftTime: book?.lastShiftTime ?? null };
    if (!book) return totals;
    const resets = new Map<string, CounterTotals['resets'][number]>();
    for (const { metric, labels, value } of book.series.values()) {
      if (metric === this.metrics.envSteps) totals.envSteps = value;
      else if (metric === this.metrics.episodes) totals.episodes = value;
      else if (metric === this.metrics.windows) totals.windows = value;
      else if (metric === this.metrics.shifts) totals.shifts[labels.kind] = value;
      else if (metric === this.metrics.updates) totals.updates[labels.network] = value;
      else if (metric === this.metrics.resets || metric === this.metrics.resetUnits) {
        const key = `${labels.network}\u0000${labels.layer}\u0000${labels.criterion}`;
        let entry = resets.get(key);
        if (!entry) {
          entry = { network: labels.network, layer: labels.layer, criterion: labels.criterion, events: 0, units: 0 };
          resets.set(key, entry);
          totals.resets.push(entry);
        }
        if (metric === this.metrics.resets) entry.events = value;
        else entry.units = value;
      }
    }
    return totals;
  }

  /**
   * Raises the agent's counters to the totals stored with its checkpoint (never lowers one). Call it
   * when a run is resumed, before its first event, so no scrape sees the counters at zero.
   */
  restoreCounters(agent: string, totals: Partial<CounterTotals>): void {
    const m = this.metrics;
    this.book(agent);
    if (totals.envSteps !== undefined) this.raise(agent, m.envSteps, { agent }, totals.envSteps);
    if (totals.episodes !== undefined) this.raise(agent, m.episodes, { agent }, totals.episodes);
    if (totals.windows !== undefined) this.raise(agent, m.windows, { agent }, totals.windows);
    for (const [kind, total] of Object.entries(totals.shifts ?? {})) this.raise(agent, m.shifts, { agent, kind }, total);
    for (const [network, total] of Object.entries(totals.updates ?? {})) this.raise(agent, m.updates, { agent, network }, total);
    for (const { network, layer, criterion, events, units } of totals.resets ?? []) {
      this.raise(agent, m.resets, { agent, network, layer, criterion }, events);
      this.raise(agent, m.resetUnits, { agent, network, layer, criterion }, units);
    }
    if (totals.lastShiftTime !== undefined && totals.lastShiftTime !== null) this.setLastShift(agent, totals.lastShiftTime);
  }

  private observeWindow(event: WindowEvent): void {
    const m = this.metrics;
    const { agent, report } = event;
    const book = this.book(agent);
    this.advance(agent, book.windows, m.windows, report.window);
    this.advance(agent, book.steps, m.envSteps, event.step);

    const { performance } = report;
    if (performance.episodeReturn !== undefined) this.set(agent, m.windowReturn, { agent }, performance.episodeReturn);
    if (performance.episodes !== undefined) this.set(agent, m.windowEpisodes, { agent }, performance.episodes);
    if (performance.loss !== undefined) this.set(agent, m.windowLoss, { agent }, performance.loss);
    if (performance.accuracy !== undefined) this.set(agent, m.windowAccuracy, { agent }, performance.accuracy);
    this.set(agent, m.monitorDuration, { agent }, report.durationSeconds);
    const previous = book.previousWindow;
    if (previous && event.time > previous.time) {
      const seconds = (event.time - previous.time) / 1000;
      this.set(agent, m.windowDuration, { agent }, seconds);
      if (event.step > previous.step) this.set(agent, m.stepDuration, { agent }, seconds / (event.step - previous.step));
    }
    book.previousWindow = { time: event.time, step: event.step };

    for (const net of report.networks) {
      const labels = { agent, network: net.network };
      if (net.updates > 0) this.increment(agent, m.updates, labels, net.updates);
      this.set(agent, m.loss, labels, net.loss);
      this.set(agent, m.weightMagnitude, labels, net.weightMagnitude);
      this.set(agent, m.weightDrift, labels, net.drift);
      this.set(agent, m.gradientNorm, labels, net.gradNorm);
      this.set(agent, m.updateNorm, labels, net.updateNorm);
      if (net.curvatureSrank !== null) this.set(agent, m.curvatureSrank, labels, net.curvatureSrank);
      // net.resets (per criterion, per window) is not exported: reset events are counted exactly.
    }

    for (const layer of report.layers) {
      const { network } = layer;
      const labels = { agent, network, layer: layer.layer };
      this.set(agent, m.layerUnits, labels, layer.units);
      this.set(agent, m.deadUnits, labels, layer.deadRatio);
      this.set(agent, m.dormantUnits, { agent, network, layer: layer.layer, tau: '0.025' }, layer.dormantRatio);
      this.set(agent, m.dormantUnits, { agent, network, layer: layer.layer, tau: '0.1' }, layer.dormantRatioTau01);
      if (layer.saturatedRatio !== null) this.set(agent, m.saturatedUnits, labels, layer.saturatedRatio);
      this.set(agent, m.duplicateUnits, { agent, network, layer: layer.layer, measure: 'cosine' }, layer.duplicateRatio);
      this.set(agent, m.duplicateUnits, { agent, network, layer: layer.layer, measure: 'pearson' }, layer.duplicatePearsonRatio);
      this.set(agent, m.effectiveRank, labels, layer.effectiveRank);
      this.set(agent, m.srank, labels, layer.srank);
      this.set(agent, m.stableRank, labels, layer.stableRank);
      this.set(agent, m.participationRatio, labels, layer.participationRatio);
      this.set(agent, m.layerWeightMagnitude, labels, layer.weightMagnitude);
      for (const [criterion, summary] of Object.entries(layer.utilities)) {
        for (const statistic of UTILITY_STATISTICS) {
          this.set(agent, m.unitUtility, { agent, network, layer: layer.layer, criterion, statistic }, summary[statistic]);
        }
      }
    }

    for (const audit of report.audit) {
      const { network } = audit;
      this.set(agent, m.auditSampledUnits, { agent, network }, audit.sampledUnits);
      for (const [criterion, rho] of Object.entries(audit.lossCorrelation)) {
        this.set(agent, m.auditSpearman, { agent, network, criterion, target: 'loss' }, rho);
      }
      for (const [criterion, rho] of Object.entries(audit.outputCorrelation)) {
        this.set(agent, m.auditSpearman, { agent, network, criterion, target: 'output' }, rho);
      }
    }
  }

  private observeReset(agent: string, reset: ResetEvent): void {
    const labels = { agent, network: reset.network, layer: reset.layerName, criterion: reset.criterion };
    this.increment(agent, this.metrics.resets, labels, 1);
    this.increment(agent, this.metrics.resetUnits, labels, reset.units.length);
  }

  private observeEpisode(event: EpisodeEvent): void {
    const { agent } = event;
    const book = this.book(agent);
    this.advance(agent, book.episodes, this.metrics.episodes, event.episode);
    this.advance(agent, book.steps, this.metrics.envSteps, event.step);
    this.set(agent, this.metrics.episodeReturn, { agent }, event.return);
    this.set(agent, this.metrics.episodeLength, { agent }, event.length);
  }

  private observeShift(event: ShiftEvent): void {
    this.increment(event.agent, this.metrics.shifts, { agent: event.agent, kind: event.shiftKind }, 1);
    this.setLastShift(event.agent, event.time);
  }

  private setLastShift(agent: string, time: number): void {
    this.book(agent).lastShiftTime = time;
    this.set(agent, this.metrics.lastShiftTimestamp, { agent }, time / 1000);
  }

  /**
   * Counts a mark the events carry (agent step, episode or window index). The first mark this
   * process sees raises the counter to it (a resumed run continues its total); later ones add the
   * difference; a mark that goes back (a rewind) only moves the reference.
   */
  private advance(agent: string, mark: Mark, metric: Counter<'agent'>, value: number): void {
    const current = this.series(agent, metric, { agent }).value;
    const delta = mark.last === null ? value - current : value - mark.last;
    if (delta > 0) this.increment(agent, metric, { agent }, delta);
    mark.last = value;
  }

  private raise(agent: string, metric: Counter<string>, labels: LabelSet, total: number): void {
    const delta = total - this.series(agent, metric, labels).value;
    if (delta > 0) this.increment(agent, metric, labels, delta);
  }

  private book(agent: string): AgentBook {
    let book = this.agents.get(agent);
    if (!book) {
      book = {
        series: new Map(),
        steps: { last: null },
        episodes: { last: null },
        windows: { last: null },
        previousWindow: null,
        lastShiftTime: null,
      };
      this.agents.set(agent, book);
      // Pre-create at 0 so that increase()/changes() see the first step, episode, window and shift.
      for (const counter of [this.metrics.envSteps, this.metrics.episodes, this.metrics.windows]) this.increment(agent, counter, { agent }, 0);
      this.set(agent, this.metrics.lastShiftTimestamp, { agent }, 0);
    }
    return book;
  }

  /** The bookkeeping entry of one series (created with value 0 if new). */
  private series(agent: string, metric: AnyMetric, labels: LabelSet): Series {
    const series = this.book(agent).series;
    let key = (metric as unknown as { name: string }).name;
    for (const value of Object.values(labels)) key += '\u0000' + value;
    let entry = series.get(key);
    if (!entry) {
      entry = { metric, labels, value: 0 };
      series.set(key, entry);
    }
    return entry;
  }

  private set(agent: string, metric: Gauge<string>, labels: LabelSet, value: number): void {
    this.series(agent, metric, labels).value = value;
    metric.set(labels, value);
  }

  private increment(agent: string, metric: Counter<string>, labels: LabelSet, by: number): void {
    this.series(agent, metric, labels).value += by;
    metric.inc(labels, by);
  }
}
