/**
 * Spearman rank correlation: the Pearson correlation of the two samples' ranks, ties given their
 * average rank (the textbook definition, equal to scipy.stats.spearmanr). The reset audit uses it
 * to compare each criterion's predicted cost with the measured cost of real resets (algorithms.md
 * §2.1, "Validation test for the service").
 */
import { PlasticdError } from '../src/util/errors.ts';

/** 1-based ranks of `values`; tied values share the mean of the ranks they span. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(values[i])) throw new PlasticdError('invalid_sample', `Cannot rank NaN (at index ${i}).`);
  }
  order.sort((a, b) => values[a] - values[b] || a - b);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    // Positions start..end−1 (0-based) hold ranks start+1..end; their mean is (start+1+end)/2.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Spearman's ρ of paired samples. NaN when fewer than two pairs or when either sample is constant
 * (the correlation is undefined, as in scipy).
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) {
    throw new PlasticdError('invalid_sample', `Spearman needs paired samples; got lengths ${x.length} and ${y.length}.`);
  }
  const n = x.length;
  if (n < 2) return Number.NaN;
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const mean = (n + 1) / 2; // the mean rank, with or without ties
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = rx[i] - mean;
    const dy = ry[i] - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return sxy / Math.sqrt(sxx * syy);
}
