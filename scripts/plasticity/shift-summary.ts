/**
 * Per-regime summaries of one nonstationary RL run, from the run loop's events: the return an agent
 * reaches in each regime (mean of the last k episodes that end before the next shift, the "return
 * after the shift" of Dohare et al.'s Slippery Ant plots) and the regime's mean return (how fast it
 * relearned). Regime 0 is the unshifted env before the first shift. Pure functions, no I/O.
 */

export interface EpisodeRecord {
  /** Agent step at which the episode ended. */
  step: number;
  return: number;
}

export interface RegimeSummary {
  /** 0 = before the first shift; r = after shift r. */
  regime: number;
  /** Agent steps [start, end) of the regime. */
  start: number;
  end: number;
  /** Episodes that ended inside the regime. */
  episodes: number;
  /** Mean return of the last `lastEpisodes` episodes ending in the regime (all of them when fewer); NaN when none. */
  finalReturn: number;
  /** Mean return of every episode ending in the regime; NaN when none. */
  meanReturn: number;
}

/**
 * Splits [0, totalSteps) at the shift steps and summarises the episodes of each piece. An episode
 * belongs to the regime it ends in (a shift happens at the end of a step, so an episode ending on
 * the shift step itself still counts for the old regime).
 */
export function summarizeRegimes(episodes: readonly EpisodeRecord[], shiftSteps: readonly number[], totalSteps: number, lastEpisodes: number): RegimeSummary[] {
  if (!Number.isInteger(lastEpisodes) || lastEpisodes < 1) throw new Error(`lastEpisodes must be a positive integer, got ${lastEpisodes}`);
  const bounds = [0, ...shiftSteps.filter((step) => step > 0 && step < totalSteps), totalSteps];
  for (let k = 1; k < bounds.length; k++) {
    if (bounds[k] < bounds[k - 1]) throw new Error(`shift steps must be increasing, got ${shiftSteps.join(', ')}`);
  }
  const regimes: RegimeSummary[] = [];
  let next = 0;
  for (let r = 0; r + 1 < bounds.length; r++) {
    const start = bounds[r];
    const end = bounds[r + 1];
    const returns: number[] = [];
    // Episode steps are 1-based counts of steps taken: one ending at step s ran its last step as step s − 1 → regime of [start, end] inclusive of end.
    while (next < episodes.length && episodes[next].step <= end) returns.push(episodes[next++].return);
    const tail = returns.slice(-lastEpisodes);
    regimes.push({ regime: r, start, end, episodes: returns.length, finalReturn: mean(tail), meanReturn: mean(returns) });
  }
  return regimes;
}

/** Mean of `values[from, to)` over the regimes that had episodes (NaN when none did). */
export function regimeRangeMean(regimes: readonly RegimeSummary[], field: 'finalReturn' | 'meanReturn', from: number, to: number): number {
  return mean(regimes.slice(from, to).map((regime) => regime[field]).filter(Number.isFinite));
}

function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}
