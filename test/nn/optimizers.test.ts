import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../../src/nn/optimizers/adam.ts';
import { Sgd } from '../../src/nn/optimizers/sgd.ts';
import type { Optimizer } from '../../src/nn/optimizers/optimizer.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { assertClose, useCpuBackend } from './reference-mlp.ts';

before(useCpuBackend);

const gradients = [
  [0.5, -1, 2, 0],
  [0.1, -0.2, 1, 3],
  [-0.4, 0.3, 0.2, -1],
];
const start = [1, -2, 0.5, 0];

/** Runs the optimizer on a fixed gradient sequence; returns the parameters after each step. */
function run(optimizer: Optimizer, steps = gradients, from = start, resetAfter?: { step: number; keep: number[] }): number[][] {
  let params = tf.tensor1d(from);
  const history: number[][] = [];
  steps.forEach((g, k) => {
    const next = tf.tidy(() => tf.sub(params, optimizer.step(tf.tensor1d(g), params)) as tf.Tensor1D);
    params.dispose();
    params = next;
    history.push(Array.from(params.dataSync()));
    if (resetAfter && resetAfter.step === k) tf.tidy(() => optimizer.resetEntries(tf.tensor1d(resetAfter.keep)));
  });
  params.dispose();
  return history;
}

/** Textbook Adam in float64 with per-element step counts t. */
function adam64(config: { lr: number; b1: number; b2: number; eps: number; wd?: number; decoupled?: boolean }, resetAfter?: { step: number; keep: number[] }): number[][] {
  const p = [...start];
  const m = [0, 0, 0, 0];
  const v = [0, 0, 0, 0];
  const t = [0, 0, 0, 0];
  const out: number[][] = [];
  gradients.forEach((g, k) => {
    for (let i = 0; i < 4; i++) {
      let gi = g[i];
      if (config.wd && !config.decoupled) gi += config.wd * p[i];
      t[i] += 1;
      m[i] = config.b1 * m[i] + (1 - config.b1) * gi;
      v[i] = config.b2 * v[i] + (1 - config.b2) * gi * gi;
      const mh = m[i] / (1 - config.b1 ** t[i]);
      const vh = v[i] / (1 - config.b2 ** t[i]);
      const before = p[i];
      p[i] -= (config.lr * mh) / (Math.sqrt(vh) + config.eps);
      if (config.wd && config.decoupled) p[i] -= config.lr * config.wd * before;
    }
    out.push([...p]);
    if (resetAfter && resetAfter.step === k) {
      for (let i = 0; i < 4; i++) if (resetAfter.keep[i] === 0) m[i] = v[i] = t[i] = 0;
    }
  });
  return out;
}

describe('Adam (per-element step counts)', () => {
  it('matches textbook Adam with bias correction', () => {
    const got = run(new Adam({ kind: 'adam', learningRate: 0.1 }, 4));
    adam64({ lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8 }).forEach((expected, k) => assertClose(got[k], expected, 1e-6, 1e-5, `step ${k}`));
  });

  it('supports β1 = β2 = 0.99, coupled L2 and decoupled weight decay', () => {
    const coupled = run(new Adam({ kind: 'adam', learningRate: 0.05, beta1: 0.99, beta2: 0.99, weightDecay: 0.1 }, 4));
    adam64({ lr: 0.05, b1: 0.99, b2: 0.99, eps: 1e-8, wd: 0.1 }).forEach((e, k) => assertClose(coupled[k], e, 1e-6, 1e-5, `coupled ${k}`));
    const decoupled = run(new Adam({ kind: 'adam', learningRate: 0.05, weightDecay: 0.1, decoupledWeightDecay: true }, 4));
    adam64({ lr: 0.05, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.1, decoupled: true }).forEach((e, k) => assertClose(decoupled[k], e, 1e-6, 1e-5, `decoupled ${k}`));
    assert.notDeepEqual(coupled, decoupled);
  });

  it('restarts the moments and the bias correction of reset entries only', () => {
    const reset = { step: 1, keep: [1, 0, 1, 0] };
    const adam = new Adam({ kind: 'adam', learningRate: 0.1 }, 4);
    const got = run(adam, gradients, start, reset);
    adam64({ lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8 }, reset).forEach((e, k) => assertClose(got[k], e, 1e-6, 1e-5, `step ${k}`));
    const slots = adam.slots();
    assert.deepEqual(Array.from(slots.step), [3, 1, 3, 1]);
    adam.dispose();
  });

  it('can change its learning rate and rejects invalid settings', () => {
    const adam = new Adam({ kind: 'adam', learningRate: 0.1 }, 4);
    adam.setLearningRate(0.01);
    assert.equal(adam.config.learningRate, 0.01);
    assert.throws(() => adam.setLearningRate(-1), PlasticdError);
    assert.throws(() => new Adam({ kind: 'adam', learningRate: 0.1, beta1: 1 }, 4), PlasticdError);
    adam.dispose();
  });
});

describe('Sgd', () => {
  it('matches torch.optim.SGD with momentum and coupled L2', () => {
    const got = run(new Sgd({ kind: 'sgd', learningRate: 0.1, momentum: 0.9, weightDecay: 0.01 }, 4));
    const p = [...start];
    const buffer = [0, 0, 0, 0];
    gradients.forEach((g, k) => {
      for (let i = 0; i < 4; i++) {
        buffer[i] = 0.9 * buffer[i] + g[i] + 0.01 * p[i];
        p[i] -= 0.1 * buffer[i];
      }
      assertClose(got[k], p, 1e-6, 1e-5, `step ${k}`);
    });
  });

  it('is plain gradient descent without momentum and keeps no state', () => {
    const sgd = new Sgd({ kind: 'sgd', learningRate: 0.5 }, 4);
    const got = run(sgd, [gradients[0]]);
    assertClose(got[0], start.map((p, i) => p - 0.5 * gradients[0][i]), 1e-7, 0, 'step');
    assert.deepEqual(sgd.slots(), {});
  });
});
