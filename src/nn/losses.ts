/**
 * Batch-mean losses on the network output as plain-JS `OutputLoss` functions (types.ts), so they
 * work with every engine: each returns the loss and writes ∂loss/∂output into the gradient buffer.
 * Conventions follow PyTorch: MSELoss/HuberLoss reduce by the mean over elements, cross-entropy by
 * the mean over the batch. With a `mask` (one-hot selection of Q(s, a), DQN-style) only the selected
 * entries count and the mean is over the batch. Nothing is allocated per call.
 */
import { PlasticdError } from '../util/errors.ts';
import type { OutputLoss } from './types.ts';

export interface MaskedLossOptions {
  /**
   * Row-major [batch × outputSize] weights, normally one-hot rows selecting Q(s, a). The loss is
   * then Σ_b Σ_c mask·ℓ(y − t) / batch, and `targets` may hold one value per row (length batch)
   * or one per output entry.
   */
  mask?: ArrayLike<number>;
}

export interface HuberOptions extends MaskedLossOptions {
  /** Threshold between the quadratic and the linear branch; default 1. */
  delta?: number;
}

/** Calls a JS output loss and checks that it returned a number (the batch-mean loss). */
export function callLoss(loss: OutputLoss, output: Float32Array, batchSize: number, gradient: Float32Array): number {
  const value = loss(output, batchSize, gradient) as unknown;
  if (typeof value !== 'number') {
    const kind = value === null ? 'null' : typeof value === 'object' ? (value as object).constructor.name : typeof value;
    badLoss(`The loss function must return the batch-mean loss as a number (and write ∂loss/∂output into its gradient argument); got ${kind}.`);
  }
  return value;
}

function badLoss(message: string): never {
  throw new PlasticdError('nn_bad_loss', message);
}

function checkShapes(name: string, output: Float32Array, batchSize: number, targets: ArrayLike<number>, mask: ArrayLike<number> | undefined): number {
  const columns = output.length / batchSize;
  if (mask) {
    if (mask.length !== output.length) badLoss(`${name}: the mask has ${mask.length} values; the output has ${batchSize} × ${columns}.`);
    if (targets.length !== batchSize && targets.length !== output.length) {
      badLoss(`${name}: ${targets.length} targets for a masked loss; give one per row (${batchSize}) or one per output (${output.length}).`);
    }
  } else if (targets.length !== output.length) {
    badLoss(`${name}: ${targets.length} targets for ${batchSize} × ${columns} outputs; they must have the output's shape.`);
  }
  return columns;
}

/** Elementwise loss ℓ(e) of the error e = y − t and its derivative, written to `out[0]` = ℓ, `out[1]` = ℓ'. */
type Elementwise = (error: number, out: Float64Array) => void;

function elementwiseLoss(name: string, targets: ArrayLike<number>, mask: ArrayLike<number> | undefined, f: Elementwise): OutputLoss {
  const pair = new Float64Array(2);
  return (output, batchSize, gradient) => {
    const columns = checkShapes(name, output, batchSize, targets, mask);
    let sum = 0;
    if (!mask) {
      const scale = 1 / output.length;
      for (let k = 0; k < output.length; k++) {
        f(output[k] - targets[k], pair);
        sum += pair[0];
        gradient[k] = pair[1] * scale;
      }
      return sum * scale;
    }
    const perRow = targets.length === batchSize;
    const scale = 1 / batchSize;
    for (let b = 0; b < batchSize; b++) {
      const row = b * columns;
      for (let c = 0; c < columns; c++) {
        const k = row + c;
        const w = mask[k];
        if (w === 0) continue;
        f(output[k] - targets[perRow ? b : k], pair);
        sum += w * pair[0];
        gradient[k] = w * pair[1] * scale;
      }
    }
    return sum * scale;
  };
}

/** Mean over elements of (y − t)², like torch.nn.MSELoss; with a mask, Σ selected (q − t)² / batch. */
export function meanSquaredError(targets: ArrayLike<number>, options: MaskedLossOptions = {}): OutputLoss {
  return elementwiseLoss('meanSquaredError', targets, options.mask, (e, out) => {
    out[0] = e * e;
    out[1] = 2 * e;
  });
}

/** Huber (smooth L1) loss: ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond; mean over elements, or over the batch with a mask. */
export function huberLoss(targets: ArrayLike<number>, options: HuberOptions = {}): OutputLoss {
  const delta = options.delta ?? 1;
  if (!(delta > 0)) badLoss(`huberLoss: delta must be > 0, got ${delta}.`);
  return elementwiseLoss('huberLoss', targets, options.mask, (e, out) => {
    const a = Math.abs(e);
    if (a <= delta) {
      out[0] = 0.5 * e * e;
      out[1] = e;
    } else {
      out[0] = delta * (a - 0.5 * delta);
      out[1] = e > 0 ? delta : -delta;
    }
  });
}

/**
 * Mean over the batch of −Σ_c y_c log softmax(logits)_c. `labels` are one-hot (or any distribution)
 * rows as a Float32Array [batch × classes], or class indices as an Int32Array [batch].
 */
export function softmaxCrossEntropy(labels: Float32Array | Int32Array): OutputLoss {
  return (output, batchSize, gradient) => {
    const classes = output.length / batchSize;
    const indices = labels instanceof Int32Array;
    if (indices ? labels.length !== batchSize : labels.length !== output.length) {
      badLoss(`softmaxCrossEntropy: ${labels.length} labels for ${batchSize} × ${classes} logits; give one-hot rows (Float32Array) or one class index per row (Int32Array).`);
    }
    let sum = 0;
    const scale = 1 / batchSize;
    for (let b = 0; b < batchSize; b++) {
      const row = b * classes;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) if (output[row + c] > max) max = output[row + c];
      let z = 0;
      for (let c = 0; c < classes; c++) z += Math.exp(output[row + c] - max);
      const logZ = Math.log(z) + max;
      let mass = 0;
      if (indices) {
        const label = labels[b];
        if (!(label >= 0 && label < classes)) badLoss(`softmaxCrossEntropy: class index ${label} at row ${b} is outside 0..${classes - 1}.`);
        sum -= output[row + label] - logZ;
        mass = 1;
        gradient[row + label] = -scale;
      } else {
        for (let c = 0; c < classes; c++) {
          const y = labels[row + c];
          if (y !== 0) sum -= y * (output[row + c] - logZ);
          mass += y;
          gradient[row + c] = -y * scale;
        }
      }
      // ∂/∂logit_c = (Σ y)·softmax_c − y_c.
      for (let c = 0; c < classes; c++) gradient[row + c] += mass * Math.exp(output[row + c] - logZ) * scale;
    }
    return sum * scale;
  };
}

/** Row-wise Σ_c q[b, c]·oneHot[b, c]: picks Q(s_b, a_b) with a one-hot mask → length batch. */
export function selectByMask(q: ArrayLike<number>, oneHot: ArrayLike<number>, batchSize: number, out = new Float32Array(batchSize)): Float32Array {
  const columns = q.length / batchSize;
  for (let b = 0; b < batchSize; b++) {
    let s = 0;
    for (let c = 0; c < columns; c++) s += q[b * columns + c] * oneHot[b * columns + c];
    out[b] = s;
  }
  return out;
}

/** A one-hot [n × depth] Float32Array for integer indices, to build masks and labels. */
export function oneHotRows(indices: ArrayLike<number>, depth: number): Float32Array {
  const out = new Float32Array(indices.length * depth);
  for (let b = 0; b < indices.length; b++) out[b * depth + indices[b]] = 1;
  return out;
}
