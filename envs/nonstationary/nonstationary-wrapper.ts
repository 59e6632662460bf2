/**
 * Base of the nonstationary wrappers: owns the shift clock and the wrapper's own seeded RNG,
 * restarts both on a seeded reset, reports shifts as `info.shift = {kind, params}` and
 * checkpoints its schedule (StatefulEnvPart). Subclasses say what a regime is and how to draw one.
 *
 * Timing, the same for both schedule kinds: a shift happens at the END of a step. That step's
 * action, dynamics and reward still belong to the old regime; the new regime is drawn and applied,
 * the step's info carries `shift`, and everything after it (including the observation and spaces
 * returned by that step, for observation permutations) belongs to the new one. The initial regime
 * is always the unmodified env. A reset with a seed re-seeds the RNG and restarts the schedule from
 * the initial regime, so a seeded run is reproducible from its first reset.
 */
import { Wrapper } from '../core.ts';
import type { Env, Info, ResetArgs } from '../core.ts';
import { Rng } from '../../src/util/rng.ts';
import type { RngState } from '../../src/util/rng.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { StatefulEnvPart } from '../stateful.ts';
import { expectStateObject } from '../stateful.ts';
import { ShiftClock, deriveShiftRng, isRngState, parseSchedule } from './schedule.ts';
import type { ClockState } from './schedule.ts';
import type { NonstationaryOptions, ShiftInfo, ShiftKind, ShiftParams } from './shift.ts';

export interface NonstationaryState {
  rng: RngState;
  clock: ClockState;
  regime: unknown;
}

function checkSeed(seed: unknown, owner: string, key: string): void {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) {
    throw new PlasticdError('invalid_seed', `${owner}: ${key} must be a non-negative integer, got ${String(seed)}`);
  }
}

export abstract class NonstationaryWrapper<O, A, InnerO = O, InnerA = A> extends Wrapper<O, A, InnerO, InnerA> implements StatefulEnvPart {
  protected readonly clock: ShiftClock;
  private readonly optionSeed: number | undefined;
  private rngInstance: Rng | null = null;

  constructor(
    env: Env<InnerO, InnerA>,
    options: NonstationaryOptions,
    readonly kind: ShiftKind,
  ) {
    super(env);
    const owner = new.target.name;
    this.clock = new ShiftClock(parseSchedule(options, owner));
    if (options.seed !== undefined) {
      checkSeed(options.seed, owner, 'seed');
      this.rngInstance = deriveShiftRng(kind, [options.seed]);
    }
    this.optionSeed = options.seed;
  }

  /** The wrapper's current regime, JSON-able (also what `info.shift.params` carries). */
  abstract get params(): ShiftParams;

  /** Number of shifts since construction or the last seeded reset. */
  get shiftCount(): number {
    return this.clock.shifts;
  }

  /** Env steps counted by the schedule since construction or the last seeded reset. */
  get totalSteps(): number {
    return this.clock.totalSteps;
  }

  /** Draws a new regime from `this.rng` and applies it. */
  protected abstract drawRegime(): void;
  /** Goes back to the unmodified env. */
  protected abstract resetRegime(): void;
  protected abstract regimeState(): unknown;
  protected abstract restoreRegime(state: unknown): void;

  protected get rng(): Rng {
    // Neither seed given: OS entropy, drawn only when first needed (Gymnasium's unseeded case).
    if (this.rngInstance === null) this.rngInstance = Rng.fromEntropy();
    return this.rngInstance;
  }

  /** Call first in `reset`: a seeded reset re-seeds the RNG and restarts the schedule. */
  protected beginReset(args: ResetArgs | undefined): void {
    const seed = args?.seed;
    if (seed === undefined || seed === null) return;
    checkSeed(seed, this.constructor.name, 'reset seed');
    this.rngInstance = deriveShiftRng(this.kind, this.optionSeed === undefined ? [seed] : [seed, this.optionSeed]);
    this.clock.restart();
    this.resetRegime();
  }

  /** Call once per step with its flags; on a shift, draws the new regime and returns the report. */
  protected tick(terminated: boolean, truncated: boolean): ShiftInfo | null {
    if (!this.clock.tick(terminated || truncated)) return null;
    this.drawRegime();
    return { kind: this.kind, params: this.params };
  }

  /** A copy of `info` with the shift added (allocates only on shift steps; the inner info may be shared). */
  protected static withShift(info: Info, shift: ShiftInfo): Info {
    return { ...info, shift };
  }

  envState(): NonstationaryState {
    return { rng: this.rng.state(), clock: this.clock.state(), regime: this.regimeState() };
  }

  restoreEnvState(state: unknown): void {
    const owner = this.constructor.name;
    const record = expectStateObject(state, owner, ['rng', 'clock', 'regime']);
    if (!isRngState(record.rng)) throw new PlasticdError('invalid_env_state', `${owner}: state.rng is not an RNG state`);
    const clock = expectStateObject(record.clock, owner, ['totalSteps', 'stepsSinceShift', 'shifts']) as unknown as ClockState;
    this.restoreRegime(record.regime);
    this.clock.restore(clock);
    this.rngInstance = Rng.fromState(record.rng);
  }
}
