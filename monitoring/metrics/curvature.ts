/**
 * Curvature rank from a Jacobian, via the Gauss–Newton matrix G = Jᵀ J (algorithms.md §3.9, recipe
 * 2). Lewandowski et al., "Directions of Curvature as an Explanation for Loss of Plasticity"
 * (arXiv 2312.00246) track the srank of the Hessian's |eigenvalues| over the last two layers; the
 * GGN is the positive semi-definite surrogate. Its non-zero eigenvalues are those of the smaller of
 * J Jᵀ [rows × rows] (the empirical NTK) and Jᵀ J [params × params], so only that one is decomposed.
 * J has one row per (sample, output); the caller folds the output-loss Hessian in, either with
 * `rowWeights` (a diagonal H_out, e.g. 2/N for mean squared error) or by passing H_out^{1/2} J.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import type { MatrixData } from './activation-matrix.ts';
import { effectiveRank } from './effective-rank.ts';
import { symmetricProduct } from './gram-matrix.ts';
import { gramEigenvalues } from './singular-values.ts';
import { SRANK_DELTA, srank } from './srank.ts';

export interface CurvatureOptions {
  /** Diagonal of the output-loss Hessian, one non-negative weight per Jacobian row (default 1). */
  rowWeights?: ArrayLike<number>;
  /** srank's δ (default 0.01). */
  delta?: number;
  /** Eigenvalues above this fraction of λ_max count towards `numericalRank` (default 1e-6). */
  relativeTolerance?: number;
}

export interface CurvatureSpectrum {
  /** Non-zero-spectrum eigenvalues of G, descending, length min(rows, parameters); noise clipped to 0. */
  eigenvalues: Float64Array;
  largestEigenvalue: number;
  /** tr G = ‖J‖_F² (weighted). */
  trace: number;
  /** srank_δ of the eigenvalues (they are G's singular values: G is PSD). */
  srank: number;
  effectiveRank: number;
  /** #{k : λ_k > relativeTolerance · λ_max}. */
  numericalRank: number;
}

/** `jacobian` is row-major [rows × parameters]. */
export function gaussNewtonSpectrum(jacobian: MatrixData, rows: number, parameters: number, options: CurvatureOptions = {}): CurvatureSpectrum {
  if (!Number.isInteger(rows) || !Number.isInteger(parameters) || rows < 1 || parameters < 1 || jacobian.length !== rows * parameters) {
    throw new PlasticdError(
      'invalid_jacobian',
      `gaussNewtonSpectrum: a [${rows} × ${parameters}] Jacobian needs ${rows * parameters} values, got ${jacobian.length}`,
    );
  }
  const weights = options.rowWeights;
  if (weights && weights.length !== rows) {
    throw new PlasticdError('invalid_jacobian', `gaussNewtonSpectrum: ${weights.length} row weights for ${rows} Jacobian rows`);
  }
  // Rows scaled by √w: G = Jᵀ diag(w) J = (√w J)ᵀ (√w J).
  const scaled = new Float64Array(rows * parameters);
  for (let r = 0; r < rows; r++) {
    const weight = weights ? weights[r] : 1;
    if (!Number.isFinite(weight) || weight < 0) {
      throw new PlasticdError('invalid_jacobian', `gaussNewtonSpectrum: row weight ${r} is ${weight}; the output Hessian's diagonal must be finite and ≥ 0`);
    }
    const factor = Math.sqrt(weight);
    for (let p = 0; p < parameters; p++) {
      const value = jacobian[r * parameters + p];
      if (!Number.isFinite(value)) {
        throw new PlasticdError('non_finite_jacobian', `gaussNewtonSpectrum: Jacobian entry (${r}, ${p}) is ${value}`, { row: r, parameter: p });
      }
      scaled[r * parameters + p] = factor * value;
    }
  }
  const gram = rows <= parameters ? symmetricProduct(scaled, rows, parameters) : symmetricProduct(transpose(scaled, rows, parameters), parameters, rows);
  return spectrumOfGram(gram, Math.min(rows, parameters), Math.max(rows, parameters), options);
}

/**
 * The same spectrum from the row Gram J·Jᵀ [rows × rows] (output Hessian already folded in), for
 * callers that can form it without materialising J (e.g. the per-layer factorisation of a dense
 * network's NTK in curvature-probe.ts). `gram` is used as scratch space.
 */
export function gaussNewtonSpectrumFromGram(gram: Float64Array, rows: number, parameters: number, options: Omit<CurvatureOptions, 'rowWeights'> = {}): CurvatureSpectrum {
  if (!Number.isInteger(rows) || rows < 1 || gram.length !== rows * rows || !Number.isInteger(parameters) || parameters < 1) {
    throw new PlasticdError('invalid_jacobian', `gaussNewtonSpectrumFromGram: a ${rows} × ${rows} Gram needs ${rows * rows} values, got ${gram.length}`);
  }
  for (let k = 0; k < gram.length; k++) {
    if (!Number.isFinite(gram[k])) throw new PlasticdError('non_finite_jacobian', `gaussNewtonSpectrumFromGram: Gram entry ${k} is ${gram[k]}`);
  }
  const spectrum = spectrumOfGram(gram, rows, Math.max(rows, parameters), options);
  if (rows <= parameters) return spectrum;
  // JJᵀ has rows − parameters extra zero eigenvalues; JᵀJ's spectrum is the leading `parameters`.
  return { ...spectrum, eigenvalues: spectrum.eigenvalues.slice(0, parameters) };
}

function spectrumOfGram(gram: Float64Array, size: number, longSide: number, options: Omit<CurvatureOptions, 'rowWeights'>): CurvatureSpectrum {
  let trace = 0;
  for (let i = 0; i < size; i++) trace += gram[i * size + i];
  const eigenvalues = gramEigenvalues(gram, size, longSide);
  const largestEigenvalue = eigenvalues[0];
  const cutoff = (options.relativeTolerance ?? 1e-6) * largestEigenvalue;
  let numericalRank = 0;
  for (let k = 0; k < size; k++) if (eigenvalues[k] > cutoff) numericalRank++;
  return {
    eigenvalues,
    largestEigenvalue,
    trace,
    srank: srank(eigenvalues, options.delta ?? SRANK_DELTA),
    effectiveRank: effectiveRank(eigenvalues),
    numericalRank,
  };
}

function transpose(x: Float64Array, rows: number, columns: number): Float64Array {
  const out = new Float64Array(rows * columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = x[r * columns + c];
  return out;
}
