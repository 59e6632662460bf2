/**
 * Events one agent run emits (worker → main thread → exporters: run log, Prometheus, websocket
 * feed). Plain JSON-able objects. `seq` is per agent, starts at 1 and increases by one per event,
 * across restarts too (a resumed run continues the sequence), so the run log and the feed can
 * detect duplicates and gaps. `step` is the agent's env step (or example count for supervised
 * streams) when the event happened; `time` is wall-clock milliseconds since the epoch.
 */
import type { ResetEvent, WindowReport } from '../../monitoring/types.ts';

export type AgentState = 'starting' | 'running' | 'paused' | 'error' | 'stopped';

export interface EventHeader {
  agent: string;
  seq: number;
  step: number;
  time: number;
}

export interface WindowEvent extends EventHeader {
  kind: 'window';
  report: WindowReport;
}

export interface ResetRunEvent extends EventHeader {
  kind: 'reset';
  reset: ResetEvent;
}

export interface EpisodeEvent extends EventHeader {
  kind: 'episode';
  /** 1-based episode index of this agent. */
  episode: number;
  return: number;
  length: number;
  /** Whether the episode ended by termination (true) or truncation (false). */
  terminated: boolean;
}

export interface ShiftEvent extends EventHeader {
  kind: 'shift';
  /** 1-based index of this shift in the run. */
  shift: number;
  /** `info.shift.kind` of the env or stream (e.g. 'physics', 'observation-permutation', 'task'). */
  shiftKind: string;
  params: Record<string, unknown>;
}

export interface StateEvent extends EventHeader {
  kind: 'state';
  state: AgentState;
  /** Why, for 'error' (and optionally 'paused'/'stopped'). */
  reason?: string;
}

/** Per-unit utilities of every hidden layer, for the live heatmap (sent only to feed subscribers asking for them). */
export interface UnitsEvent extends EventHeader {
  kind: 'units';
  network: string;
  layers: Array<{ layer: string; index: number; criterion: string; utilities: number[]; ages: number[] }>;
}

export type RunEvent = WindowEvent | ResetRunEvent | EpisodeEvent | ShiftEvent | StateEvent | UnitsEvent;
export type RunEventKind = RunEvent['kind'];
export const RUN_EVENT_KINDS: readonly RunEventKind[] = ['window', 'reset', 'episode', 'shift', 'state', 'units'];
