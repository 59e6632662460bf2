/**
 * Shared types of the nonstationary wrappers: what a shift is, how it is reported
 * (`info.shift = {kind, params}`, DESIGN.md "Contracts") and how its timing is configured.
 */

export type ShiftKind = 'physics' | 'observation-permutation' | 'action-permutation' | 'reward';

/** JSON-able description of a wrapper's current regime, e.g. `{length: 0.73}` or `{scale: -1}`. */
export type ShiftParams = Record<string, unknown>;

/** Put into `info.shift` on the step at whose end a shift happened. */
export interface ShiftInfo {
  kind: ShiftKind;
  params: ShiftParams;
}

/**
 * When shifts happen. Exactly one key:
 * - `every`: after every N env steps, counted across episodes (steps N, 2N, 3N, …).
 * - `everyAtEpisodeEnd`: at the first episode end (terminated or truncated) once at least N steps
 *   have passed since the previous shift, as Slippery Ant's `change_time` (algorithms.md §4.6).
 */
export interface ScheduleOptions {
  every?: number;
  everyAtEpisodeEnd?: number;
}

/** How a value is chosen from a list at each shift: in order (wrapping round) or at random. */
export type ListOrder = 'cycle' | 'random';

/** Options every nonstationary wrapper takes. */
export interface NonstationaryOptions extends ScheduleOptions {
  /**
   * Seed of the wrapper's own RNG. `reset({seed})` re-seeds it from both seeds (and the wrapper's
   * kind), so it never shares a stream with the env's RNG. Without either seed, OS entropy is used
   * (as Gymnasium does for an unseeded env).
   */
  seed?: number;
}
