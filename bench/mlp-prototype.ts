/**
 * Hand-written tfjs MLP training steps for bench/nn.bench.ts: the stand-in until src/nn's Network
 * exists, and the test bed for speed levers. Variants:
 *  - 'autodiff': tf.fused.matMul(relu) forward, optimizer.minimize (tfjs's own Adam/SGD);
 *  - 'manual':   the same maths with a hand-written backward pass (one matMul per product,
 *                transposes folded into the matMul flags) and a hand-written Adam (fewer ops).
 * Weights are stored [fanIn, fanOut] so the forward product is not transposed (wasm fast path).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface BenchShape {
  id: string;
  batch: number;
  layers: number[];
  optimizer: 'sgd' | 'adam';
  loss: 'mse' | 'xent';
}

export const BENCH_SHAPES: BenchShape[] = [
  { id: '1x20-5-1', batch: 1, layers: [20, 5, 1], optimizer: 'sgd', loss: 'mse' },
  { id: '1x20-256-256-1', batch: 1, layers: [20, 256, 256, 1], optimizer: 'adam', loss: 'mse' },
  { id: '32x64-256-256-4', batch: 32, layers: [64, 256, 256, 4], optimizer: 'adam', loss: 'mse' },
  { id: '256x784-256-256-10', batch: 256, layers: [784, 256, 256, 10], optimizer: 'adam', loss: 'xent' },
];

export type PrototypeVariant = 'autodiff' | 'manual';

export interface PrototypeStep {
  step(): void;
  dispose(): void;
}

const SGD_LR = 0.01;
const ADAM = { lr: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** Deterministic pseudo-random fill (benchmarks only; values do not matter, shapes do). */
function fill(n: number, scale: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

export function createPrototypeStep(shape: BenchShape, variant: PrototypeVariant): PrototypeStep {
  const { batch, layers } = shape;
  const weights: tf.Variable[] = [];
  const biases: tf.Variable[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const bound = 1 / Math.sqrt(layers[l]);
    weights.push(tf.variable(tf.tensor2d(fill(layers[l] * layers[l + 1], bound, 7 + l), [layers[l], layers[l + 1]]), true, `w${l}`));
    biases.push(tf.variable(tf.tensor1d(fill(layers[l + 1], bound, 99 + l)), true, `b${l}`));
  }
  const x = tf.tensor2d(fill(batch * layers[0], 1, 3), [batch, layers[0]]);
  const outSize = layers[layers.length - 1];
  const target =
    shape.loss === 'xent'
      ? tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % outSize), 'int32'), outSize), 'float32')
      : tf.tensor2d(fill(batch * outSize, 1, 5), [batch, outSize]);
  const step = variant === 'autodiff' ? autodiffStep(shape, weights, biases, x, target) : manualStep(shape, weights, biases, x, target);
  return {
    step,
    dispose: () => {
      for (const v of [...weights, ...biases]) v.dispose();
      x.dispose();
      target.dispose();
    },
  };
}

function forward(weights: tf.Variable[], biases: tf.Variable[], x: tf.Tensor2D): tf.Tensor2D {
  let a: tf.Tensor2D = x;
  for (let l = 0; l < weights.length; l++) {
    const hidden = l < weights.length - 1;
    a = tf.fused.matMul({ a, b: weights[l] as tf.Tensor2D, bias: biases[l], activation: hidden ? 'relu' : 'linear' }) as tf.Tensor2D;
  }
  return a;
}

function lossOf(shape: BenchShape, out: tf.Tensor2D, target: tf.Tensor): tf.Scalar {
  if (shape.loss === 'xent') return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(out)), 1))) as tf.Scalar;
  return tf.mean(tf.squaredDifference(out, target)) as tf.Scalar;
}

function autodiffStep(shape: BenchShape, weights: tf.Variable[], biases: tf.Variable[], x: tf.Tensor2D, target: tf.Tensor): () => void {
  const optimizer = shape.optimizer === 'sgd' ? tf.train.sgd(SGD_LR) : tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);
  const varList = [...weights, ...biases];
  return () => {
    const loss = optimizer.minimize(() => lossOf(shape, forward(weights, biases, x), target), true, varList);
    loss?.dataSync();
    loss?.dispose();
  };
}

/**
 * Backward by hand: dZ_out from the loss, then per layer dW = Aᵀ·dZ (transposeA), db = Σ_rows dZ,
 * dA = dZ·Wᵀ (transposeB), dZ = dA ⊙ [z > 0]. Adam: m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g²,
 * w ← w − lr_t · m / (√v + ε) with the bias corrections folded into lr_t (as torch does).
 */
function manualStep(shape: BenchShape, weights: tf.Variable[], biases: tf.Variable[], x: tf.Tensor2D, target: tf.Tensor): () => void {
  const params = [...weights, ...biases];
  const m = params.map((p) => tf.variable(tf.zerosLike(p), false));
  const v = params.map((p) => tf.variable(tf.zerosLike(p), false));
  let t = 0;
  return () => {
    t++;
    const lossValue = tf.tidy(() => {
      const acts: tf.Tensor2D[] = [x];
      for (let l = 0; l < weights.length; l++) {
        const hidden = l < weights.length - 1;
        acts.push(tf.fused.matMul({ a: acts[l], b: weights[l] as tf.Tensor2D, bias: biases[l], activation: hidden ? 'relu' : 'linear' }) as tf.Tensor2D);
      }
      const out = acts[acts.length - 1];
      const n = shape.batch * (shape.loss === 'xent' ? 1 : out.shape[1]);
      let loss: tf.Scalar;
      let dz: tf.Tensor2D;
      if (shape.loss === 'xent') {
        const logp = tf.logSoftmax(out);
        loss = tf.div(tf.neg(tf.sum(tf.mul(target, logp))), n) as tf.Scalar;
        dz = tf.mul(tf.sub(tf.exp(logp), target), 1 / n) as tf.Tensor2D;
      } else {
        const diff = tf.sub(out, target);
        loss = tf.div(tf.sum(tf.square(diff)), n) as tf.Scalar;
        dz = tf.mul(diff, 2 / n) as tf.Tensor2D;
      }
      const grads: tf.Tensor[] = new Array(params.length);
      for (let l = weights.length - 1; l >= 0; l--) {
        grads[l] = tf.matMul(acts[l], dz, true, false);
        grads[weights.length + l] = tf.sum(dz, 0);
        if (l > 0) dz = tf.mul(tf.matMul(dz, weights[l], false, true), tf.step(acts[l])) as tf.Tensor2D;
      }
      if (shape.optimizer === 'sgd') {
        for (let i = 0; i < params.length; i++) params[i].assign(tf.sub(params[i], tf.mul(grads[i], SGD_LR)));
      } else {
        const lrT = (ADAM.lr * Math.sqrt(1 - ADAM.beta2 ** t)) / (1 - ADAM.beta1 ** t);
        for (let i = 0; i < params.length; i++) {
          const g = grads[i];
          const mi = tf.add(tf.mul(m[i], ADAM.beta1), tf.mul(g, 1 - ADAM.beta1));
          const vi = tf.add(tf.mul(v[i], ADAM.beta2), tf.mul(tf.square(g), 1 - ADAM.beta2));
          m[i].assign(mi);
          v[i].assign(vi);
          params[i].assign(tf.sub(params[i], tf.div(tf.mul(mi, lrT), tf.add(tf.sqrt(vi), ADAM.eps))));
        }
      }
      return loss;
    });
    lossValue.dataSync();
    lossValue.dispose();
  };
}
