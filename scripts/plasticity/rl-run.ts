/**
 * One seeded run of the nonstationary RL comparison, driven through `AgentRun` exactly as the daemon's
 * worker drives it (runFor chunks, one event callback), so every number is one the daemon would
 * show: returns from `episode` events, regime boundaries from `shift` events, per-layer dead/dormant
 * ratios and ranks from `window` reports, resets from `reset` events. Wall-clock fields are kept out
 * of the per-window record, so the same job gives the same result on any machine.
 */
import { AgentRun } from '../../src/run/agent-run.ts';
import type { RunEvent } from '../../src/run/events.ts';
import { methodSpec, methodSummary } from './rl-methods.ts';
import type { RlMethodName, RlSettings } from './rl-methods.ts';
import { summarizeRegimes } from './shift-summary.ts';
import type { EpisodeRecord, RegimeSummary } from './shift-summary.ts';

export interface RlJob {
  method: RlMethodName;
  seed: number;
  steps: number;
  settings: RlSettings;
  /** Episodes averaged for a regime's final return. */
  lastEpisodes: number;
}

export interface LayerPoint {
  /** `network/layer`, e.g. 'q/hidden0'. */
  layer: string;
  deadRatio: number;
  dormantRatio: number;
  effectiveRank: number;
  srank: number;
  weightMagnitude: number;
  resets: number;
}

export interface WindowPoint {
  step: number;
  /** Mean return of the episodes that ended in the window (null when none did). */
  episodeReturn: number | null;
  layers: LayerPoint[];
  /** Mean training loss per network over the window. */
  loss: Record<string, number>;
}

export interface RlRunResult {
  method: RlMethodName;
  methodSummary: string;
  seed: number;
  steps: number;
  settings: RlSettings;
  /** The spec the run was built from (input form, as a user would write it). */
  spec: unknown;
  episodes: EpisodeRecord[];
  shifts: Array<{ step: number; kind: string; params: Record<string, unknown> }>;
  regimes: RegimeSummary[];
  windows: WindowPoint[];
  /** Units reset per `network/layer` over the run. */
  resets: Record<string, number>;
  wallSeconds: number;
  stepsPerSecond: number;
}

/** Env steps per runFor chunk (the daemon's worker also runs in chunks; results do not depend on it). */
const CHUNK = 1000;

export function runRlJob(job: RlJob): RlRunResult {
  const started = performance.now();
  const spec = methodSpec(job.method, job.settings, job.seed);
  const episodes: EpisodeRecord[] = [];
  const shifts: RlRunResult['shifts'] = [];
  const windows: WindowPoint[] = [];
  const resets: Record<string, number> = {};
  const onEvent = (event: RunEvent): void => {
    switch (event.kind) {
      case 'episode':
        episodes.push({ step: event.step, return: event.return });
        break;
      case 'shift':
        shifts.push({ step: event.step, kind: event.shiftKind, params: event.params });
        break;
      case 'reset': {
        const key = `${event.reset.network}/${event.reset.layerName}`;
        resets[key] = (resets[key] ?? 0) + event.reset.units.length;
        break;
      }
      case 'window': {
        const report = event.report;
        windows.push({
          step: report.step,
          episodeReturn: report.performance.episodeReturn ?? null,
          layers: report.layers.map((layer) => ({
            layer: `${layer.network}/${layer.layer}`,
            deadRatio: layer.deadRatio,
            dormantRatio: layer.dormantRatio,
            effectiveRank: layer.effectiveRank,
            srank: layer.srank,
            weightMagnitude: layer.weightMagnitude,
            resets: layer.resets,
          })),
          loss: Object.fromEntries(report.networks.map((network) => [network.network, network.loss])),
        });
        break;
      }
      default:
        break;
    }
  };
  // The clock only stamps event times, which nothing here keeps.
  const run = new AgentRun({ spec, onEvent, emitUnits: false, clock: () => 0 });
  try {
    for (let done = 0; done < job.steps; done += CHUNK) run.runFor(Math.min(CHUNK, job.steps - done));
  } finally {
    run.dispose();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  return {
    method: job.method,
    methodSummary: methodSummary(job.method, job.settings),
    seed: job.seed,
    steps: job.steps,
    settings: job.settings,
    spec,
    episodes,
    shifts,
    regimes: summarizeRegimes(episodes, shifts.map((shift) => shift.step), job.steps, job.lastEpisodes),
    windows,
    resets,
    wallSeconds,
    stepsPerSecond: job.steps / wallSeconds,
  };
}
