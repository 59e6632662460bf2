import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/nn/backend.ts';
import { batchSum } from '../../src/nn/backprop.ts';
import { Adam, ADAM_POWER_FLOOR, adamPowers } from '../../src/nn/optimizers/adam.ts';

before(async () => {
  await initBackend({ backend: 'cpu' }); // installs the cpu kernel patches
});

/** Deterministic values in (-2, 2), none zero. */
function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 2 * Math.sin(seed * 12.9898 + i * 78.233) + (i % 2 ? 1e-3 : -1e-3));
}

function run(f: () => tf.Tensor): { shape: number[]; data: Float32Array } {
  const result = tf.tidy(f);
  const out = { shape: result.shape, data: result.dataSync() as Float32Array };
  result.dispose();
  return out;
}

describe('cpu elementwise kernels', () => {
  const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (x: number, y: number) => number]> = [
    ['add', tf.add, (x, y) => x + y],
    ['sub', tf.sub, (x, y) => x - y],
    ['mul', tf.mul, (x, y) => x * y],
    ['div', tf.div, (x, y) => x / y],
  ];
  /** [a shape, b shape, result shape, index into a, index into b] for result index i. */
  const cases: Array<[string, number[], number[], number[], (i: number) => number, (i: number) => number]> = [
    ['same shape', [3, 4], [3, 4], [3, 4], (i) => i, (i) => i],
    ['scalar right', [3, 4], [], [3, 4], (i) => i, () => 0],
    ['scalar left', [], [3, 4], [3, 4], () => 0, (i) => i],
    ['row right', [3, 4], [4], [3, 4], (i) => i, (i) => i % 4],
    ['row left', [4], [3, 4], [3, 4], (i) => i % 4, (i) => i],
    ['column (stock kernel)', [3, 1], [4], [3, 4], (i) => Math.floor(i / 4), (i) => i % 4],
  ];
  for (const [name, op, exact] of ops) {
    it(`${name} gives float32(a op b) for every broadcast case`, () => {
      for (const [label, aShape, bShape, shape, ia, ib] of cases) {
        const a = values(tf.util.sizeFromShape(aShape), 1);
        const b = values(tf.util.sizeFromShape(bShape), 2);
        const got = run(() => op(tf.tensor(a, aShape), tf.tensor(b, bShape)));
        assert.deepEqual(got.shape, shape, label);
        const expected = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, (_, i) => exact(a[ia(i)], b[ib(i)]));
        assert.deepEqual(got.data, expected, label);
      }
    });
  }

  it('sqrt and mean give the stock values (mean is Σ(x / n))', () => {
    const x = Float32Array.from(values(12, 3), Math.abs);
    assert.deepEqual(run(() => tf.sqrt(tf.tensor1d(x))).data, Float32Array.from(x, Math.sqrt));
    const mean = run(() => tf.mean(tf.tensor2d(x, [3, 4]), 1));
    const expected = Float32Array.from({ length: 3 }, (_, r) => {
      let sum = 0;
      for (let j = 0; j < 4; j++) sum += Math.fround(x[r * 4 + j] / 4);
      return sum;
    });
    assert.deepEqual(mean.data, expected);
    assert.equal(run(() => tf.mean(tf.tensor2d(x, [3, 4]))).data[0], Math.fround(Array.from(x, (v) => Math.fround(v / 12)).reduce((s, v) => s + v, 0)));
  });

  it('leaves int32 arithmetic to the stock kernels', () => {
    const got = run(() => tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.scalar(2, 'int32')));
    assert.deepEqual(Array.from(got.data), [3, 4, 5]);
  });
});

describe('batchSum', () => {
  it('sums over the batch axis, as a reshape for one row', () => {
    const one = values(5, 4);
    assert.deepEqual(run(() => batchSum(tf.tensor2d(one, [1, 5]))).data, one);
    const x = values(12, 5);
    const got = run(() => batchSum(tf.tensor2d(x, [4, 3]))).data;
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(got[j] - (x[j] + x[3 + j] + x[6 + j] + x[9 + j])) < 1e-6);
  });
});

describe('Adam running powers', () => {
  function train(adam: Adam, steps: number, seed: number): Float32Array {
    let params = tf.tensor1d(values(4, 9));
    for (let k = 0; k < steps; k++) {
      const next = tf.tidy(() => tf.sub(params, adam.step(tf.tensor1d(values(4, seed + k)), params)) as tf.Tensor1D);
      params.dispose();
      params = next;
    }
    const out = params.dataSync() as Float32Array;
    params.dispose();
    return out;
  }

  it('keeps β^t exactly as adamPowers replays it, per entry, across resets', () => {
    const adam = new Adam({ kind: 'adam', learningRate: 0.01, beta1: 0.5, beta2: 0.9 }, 4);
    train(adam, 7, 1);
    tf.tidy(() => adam.resetEntries(tf.tensor1d([1, 0, 1, 0])));
    train(adam, 300, 20);
    const slots = adam.slots();
    assert.deepEqual(Array.from(slots.step), [307, 300, 307, 300]);
    assert.deepEqual(slots.beta1Power, adamPowers(0.5, slots.step));
    assert.deepEqual(slots.beta2Power, adamPowers(0.9, slots.step));
    // 0.5^300 would be far below float32's range: the floor keeps p normal (no subnormal arithmetic).
    for (const p of slots.beta1Power) assert.ok(p >= ADAM_POWER_FLOOR && p < 1e-17, `β1^t = ${p}`);
    assert.ok(Math.abs(adamPowers(0.9, [10])[0] - 0.9 ** 10) < 1e-7);
    adam.dispose();
  });

  it('restores from m, v and step alone and continues bit for bit', () => {
    const original = new Adam({ kind: 'adam', learningRate: 0.01 }, 4);
    train(original, 5, 1);
    tf.tidy(() => original.resetEntries(tf.tensor1d([0, 1, 1, 1])));
    train(original, 3, 10);
    const { m, v, step } = original.slots();
    const restored = new Adam({ kind: 'adam', learningRate: 0.01 }, 4);
    restored.restoreSlots({ m, v, step }); // a snapshot from before the power slots
    assert.deepEqual(restored.slots(), original.slots());
    assert.deepEqual(train(restored, 4, 30), train(original, 4, 30));
    const copy = original.clone();
    assert.deepEqual(train(copy, 2, 40), train(original, 2, 40));
    for (const adam of [original, restored, copy]) adam.dispose();
  });
});
