/**
 * Builders of realistic run events for exporter tests: WindowReport-shaped reports with every field
 * filled (networks, layers, utilities, audit), reset, episode, shift and state events.
 */
import type { EpisodeEvent, ResetRunEvent, ShiftEvent, StateEvent, WindowEvent } from '../../../src/run/events.ts';
import type { AgentState } from '../../../src/run/events.ts';
import type { LayerWindowMetrics, NetworkWindowMetrics, UtilitySummary, WindowReport } from '../../../monitoring/types.ts';
import type { CriterionName } from '../../../monitoring/utilities/unit-utility.ts';

export interface SampleShape {
  networks: string[];
  layers: string[];
  criteria: CriterionName[];
  units: number;
}

export const DEFAULT_SHAPE: SampleShape = { networks: ['q'], layers: ['dense_0', 'dense_1'], criteria: ['gxd', 'redo'], units: 64 };

/** Per-layer overrides of the metric values; `base` shifts every value so windows differ. */
export interface LayerValues {
  deadRatio?: number;
  dormantRatio?: number;
  effectiveRank?: number;
}

export function utilitySummary(base: number): UtilitySummary {
  return { min: base, p10: base + 0.1, p50: base + 0.5, p90: base + 0.9, max: base + 1, mean: base + 0.45 };
}

export function layerMetrics(network: string, layer: string, index: number, shape: SampleShape, values: LayerValues = {}): LayerWindowMetrics {
  const utilities: Record<string, UtilitySummary> = {};
  shape.criteria.forEach((criterion, k) => (utilities[criterion] = utilitySummary(k)));
  return {
    network,
    layer,
    index,
    units: shape.units,
    deadRatio: values.deadRatio ?? 0.0625,
    dormantRatio: values.dormantRatio ?? 0.125,
    dormantRatioTau01: 0.25,
    saturatedRatio: index === 0 ? 0.03125 : null,
    duplicateRatio: 0.046875,
    duplicatePearsonRatio: 0.09375,
    effectiveRank: values.effectiveRank ?? 40.5,
    srank: 31,
    stableRank: 3.25,
    participationRatio: 7.5,
    weightMagnitude: 0.0875,
    utilities,
    resets: 1,
  };
}

export function networkMetrics(network: string, shape: SampleShape): NetworkWindowMetrics {
  const resets: Record<string, number> = {};
  for (const criterion of shape.criteria) resets[criterion] = 1;
  return {
    network,
    weightMagnitude: 0.11,
    drift: 0.42,
    gradNorm: 1.5,
    updateNorm: 0.002,
    loss: 0.75,
    curvatureSrank: 12,
    updates: 250,
    resets,
  };
}

export interface WindowOptions {
  agent: string;
  seq: number;
  window: number;
  step: number;
  time: number;
  shape?: SampleShape;
  episodeReturn?: number;
  layerValues?: LayerValues;
}

export function windowEvent(options: WindowOptions): WindowEvent {
  const shape = options.shape ?? DEFAULT_SHAPE;
  const layers: LayerWindowMetrics[] = [];
  for (const network of shape.networks) {
    shape.layers.forEach((layer, index) => layers.push(layerMetrics(network, layer, index, shape, options.layerValues)));
  }
  const report: WindowReport = {
    window: options.window,
    step: options.step,
    networks: shape.networks.map((network) => networkMetrics(network, shape)),
    layers,
    performance: { loss: 0.3, accuracy: 0.8, episodeReturn: options.episodeReturn ?? 150, episodes: 4 },
    audit: shape.networks.map((network) => ({
      network,
      sampledUnits: 8,
      lossCorrelation: Object.fromEntries(shape.criteria.map((c) => [c, 0.6])),
      outputCorrelation: Object.fromEntries(shape.criteria.map((c) => [c, 0.7])),
    })),
    durationSeconds: 0.02,
  };
  return { kind: 'window', agent: options.agent, seq: options.seq, step: options.step, time: options.time, report };
}

export function resetEvent(agent: string, seq: number, step: number, time: number, network: string, layerName: string, criterion: CriterionName, units: number[]): ResetRunEvent {
  return {
    kind: 'reset',
    agent,
    seq,
    step,
    time,
    reset: {
      network,
      layer: 0,
      layerName,
      step,
      policy: 'replacement-rate',
      criterion,
      units,
      scores: units.map((u) => u / 100),
      predictedCost: 0.01,
      costCriterion: 'gxd',
      biasTransfer: null,
    },
  };
}

export function episodeEvent(agent: string, seq: number, step: number, time: number, episode: number, episodeReturn: number, length: number): EpisodeEvent {
  return { kind: 'episode', agent, seq, step, time, episode, return: episodeReturn, length, terminated: true };
}

export function shiftEvent(agent: string, seq: number, step: number, time: number, shift: number, shiftKind: string): ShiftEvent {
  return { kind: 'shift', agent, seq, step, time, shift, shiftKind, params: { gravity: 12 } };
}

export function stateEvent(agent: string, seq: number, step: number, time: number, state: AgentState, reason?: string): StateEvent {
  return reason === undefined ? { kind: 'state', agent, seq, step, time, state } : { kind: 'state', agent, seq, step, time, state, reason };
}

/** One sample line of the text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (enough of it for prom-client's output). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples of one family whose labels include `where`. */
export function find(samples: Sample[], name: string, where: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
}
