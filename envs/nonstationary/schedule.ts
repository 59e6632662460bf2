/**
 * Shift timing and value drawing shared by every nonstationary wrapper: a step clock for the two
 * schedule kinds, the derivation of a wrapper's own RNG from its seeds, and drawing a new value from
 * a list (cycled or random) or log-uniformly from a range (Slippery Ant's frictions are log-uniform
 * on [0.02, 2], algorithms.md §4.6).
 */
import { Rng } from '../../src/util/rng.ts';
import type { RngState } from '../../src/util/rng.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { ListOrder, ScheduleOptions } from './shift.ts';

export type Schedule = { kind: 'every'; steps: number } | { kind: 'everyAtEpisodeEnd'; steps: number };

/** Validates `{every}` / `{everyAtEpisodeEnd}`; `owner` names the wrapper or env id in errors. */
export function parseSchedule(options: ScheduleOptions, owner: string): Schedule {
  const hasEvery = options.every !== undefined;
  const hasEnd = options.everyAtEpisodeEnd !== undefined;
  if (hasEvery === hasEnd) {
    throw new PlasticdError(
      'invalid_schedule',
      `${owner}: give exactly one of "every" (shift every N steps) or "everyAtEpisodeEnd" (shift at the first episode end after N steps), got ${hasEvery ? 'both' : 'neither'}`,
    );
  }
  const key = hasEvery ? 'every' : 'everyAtEpisodeEnd';
  const steps = options[key];
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1) {
    throw new PlasticdError('invalid_schedule', `${owner}: "${key}" must be a positive integer number of steps, got ${String(steps)}`);
  }
  return { kind: key, steps };
}

export interface ClockState {
  totalSteps: number;
  stepsSinceShift: number;
  shifts: number;
}

/** Counts steps and says when a shift is due. */
export class ShiftClock {
  totalSteps = 0;
  stepsSinceShift = 0;
  /** Shifts so far; the regime index of the current parameters. */
  shifts = 0;

  constructor(readonly schedule: Schedule) {}

  /** Call once per env step; true when a shift happens at the end of this step. */
  tick(episodeEnded: boolean): boolean {
    this.totalSteps++;
    this.stepsSinceShift++;
    const due =
      this.schedule.kind === 'every' ? this.stepsSinceShift >= this.schedule.steps : episodeEnded && this.stepsSinceShift >= this.schedule.steps;
    if (due) {
      this.stepsSinceShift = 0;
      this.shifts++;
    }
    return due;
  }

  restart(): void {
    this.totalSteps = 0;
    this.stepsSinceShift = 0;
    this.shifts = 0;
  }

  state(): ClockState {
    return { totalSteps: this.totalSteps, stepsSinceShift: this.stepsSinceShift, shifts: this.shifts };
  }

  restore(state: ClockState): void {
    this.totalSteps = state.totalSteps;
    this.stepsSinceShift = state.stepsSinceShift;
    this.shifts = state.shifts;
  }
}

function hashString(text: string): number {
  // FNV-1a, 32 bits: only to give each wrapper kind its own stream.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * A wrapper's RNG from its seeds, mixed with a salt (its kind) so stacked wrappers and the env,
 * seeded with the same integer, draw unrelated streams. Same seeds and salt ⇒ same stream.
 */
export function deriveShiftRng(salt: string, seeds: readonly number[]): Rng {
  const rng = new Rng(hashString(salt));
  for (const seed of seeds) {
    const mixer = new Rng(seed).fork();
    rng.seed(mixer.nextUint32() * 4294967296 + ((mixer.nextUint32() ^ rng.nextUint32()) >>> 0));
  }
  return rng.fork();
}

export function logUniform(rng: Rng, low: number, high: number): number {
  return Math.exp(rng.uniform(Math.log(low), Math.log(high)));
}

/**
 * Index of the next value of a list of `length`: in order after `current` for 'cycle' (so the
 * first shift from the initial regime, current = -1, takes values[0]); for 'random', uniform among
 * the indices other than `current`, so a shift always changes something.
 */
export function nextListIndex(rng: Rng, length: number, current: number, order: ListOrder): number {
  if (order === 'cycle') return (current + 1) % length;
  if (length === 1) return 0;
  if (current < 0 || current >= length) return rng.int(length);
  const k = rng.int(length - 1);
  return k >= current ? k + 1 : k;
}

/** A source of one parameter's values: a list or a log-uniform range (validated on construction). */
export interface ValueSpec {
  values?: readonly number[];
  order?: ListOrder;
  low?: number;
  high?: number;
}

export class ValueSource {
  readonly values: readonly number[] | null;
  readonly order: ListOrder;
  readonly low: number;
  readonly high: number;
  /** Index into `values` of the current value; -1 before the first shift. */
  index = -1;

  constructor(spec: ValueSpec, owner: string) {
    const hasList = spec.values !== undefined;
    const hasRange = spec.low !== undefined || spec.high !== undefined;
    if (hasList === hasRange) {
      throw new PlasticdError('invalid_option', `${owner}: give either "values" (a list) or "low" and "high" (a log-uniform range), ${hasList ? 'not both' : 'got neither'}`);
    }
    if (spec.order !== undefined && spec.order !== 'cycle' && spec.order !== 'random') {
      throw new PlasticdError('invalid_option', `${owner}: "order" must be "cycle" or "random", got ${JSON.stringify(spec.order)}`);
    }
    this.order = spec.order ?? 'cycle';
    if (hasList) {
      const values = spec.values;
      if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new PlasticdError('invalid_option', `${owner}: "values" must be a non-empty list of finite numbers, got ${JSON.stringify(values)}`);
      }
      this.values = [...values];
      this.low = Math.min(...values);
      this.high = Math.max(...values);
    } else {
      const { low, high } = spec;
      if (typeof low !== 'number' || typeof high !== 'number' || !(low > 0) || !(high >= low) || !Number.isFinite(high)) {
        throw new PlasticdError('invalid_option', `${owner}: a log-uniform range needs finite 0 < low <= high, got low ${String(low)}, high ${String(high)}`);
      }
      this.values = null;
      this.low = low;
      this.high = high;
    }
  }

  /** Draws the next value (advancing `index` for lists). */
  next(rng: Rng): number {
    if (this.values === null) return logUniform(rng, this.low, this.high);
    this.index = nextListIndex(rng, this.values.length, this.index, this.order);
    return this.values[this.index]!;
  }

  describe(): string {
    return this.values === null ? `log-uniform in [${this.low}, ${this.high}]` : `${this.order} through [${this.values.join(', ')}]`;
  }
}

export function isRngState(x: unknown): x is RngState {
  const s = (x as RngState | null)?.s;
  return Array.isArray(s) && s.length === 4 && s.every((v) => Number.isInteger(v));
}
