/**
 * Per-unit exponential moving averages with age bias correction, as in CBP
 * (Dohare et al. 2024, Nature, Methods Eq. 1 and 8; `shibhansh/loss-of-plasticity: lop/algos/gnt.py`):
 * U ← η·U + (1−η)·u and Û = U / (1 − η^age), with the age incremented *before* the update so that
 * age ≥ 1 whenever Û is read. η^age is kept per unit as a running product (`decayPowers`) rather
 * than recomputed with Math.pow, so one step costs one multiply per unit and restores bit for bit.
 */

/**
 * Below this, 1 − η^age rounds to exactly 1, so η^age is flushed to 0: otherwise it would sink into
 * subnormal numbers after ~70,000 steps (η = 0.99), which are many times slower to multiply.
 */
const NEGLIGIBLE_DECAY_POWER = 1e-20;

/** age += 1 and η^age ← η^age·η for every unit. */
export function advanceAges(ages: Float64Array, decayPowers: Float64Array, decay: number): void {
  for (let i = 0; i < ages.length; i++) {
    ages[i] += 1;
    const power = decayPowers[i] * decay;
    decayPowers[i] = power < NEGLIGIBLE_DECAY_POWER ? 0 : power;
  }
}

/** U ← η·U + (1−η)·sample[offset + i] for every unit i. */
export function accumulate(
  running: Float64Array,
  sample: ArrayLike<number>,
  decay: number,
  offset = 0,
): void {
  const rate = 1 - decay;
  for (let i = 0; i < running.length; i++) running[i] = decay * running[i] + rate * sample[offset + i];
}

/** Û = U / (1 − η^age); 0 for a unit of age 0 (just (re)initialised, nothing averaged yet). */
export function biasCorrected(value: number, decayPower: number): number {
  const correction = 1 - decayPower;
  return correction > 0 ? value / correction : 0;
}

/** Writes Û of every unit into `out`. */
export function biasCorrectInto(running: Float64Array, decayPowers: Float64Array, out: Float64Array | Float32Array): void {
  for (let i = 0; i < running.length; i++) out[i] = biasCorrected(running[i], decayPowers[i]);
}
