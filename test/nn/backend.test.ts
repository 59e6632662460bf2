import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { currentBackend, initBackend, registerGradients } from '../../src/nn/backend.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { blasStatus } from '../../native/blas-kernels.ts';

/** Deterministic values in [-1, 1) (no Math.random in tests). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 12.9898 + i * 78.233) % 1;
  return out;
}

/** Runs `f` on the given backend and returns the result's values. */
async function on(backend: 'cpu' | 'wasm' | 'cpu-blas', f: () => tf.Tensor): Promise<Float32Array> {
  await initBackend({ backend });
  const result = tf.tidy(f);
  const data = result.dataSync() as Float32Array;
  result.dispose();
  return data;
}

function assertClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * (1 + Math.abs(expected[i])), `element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

const MATMUL_CASES: Array<{ name: string; a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }> = [
  { name: 'A·B', a: [16, 24], b: [24, 8], transposeA: false, transposeB: false },
  { name: 'A·Bᵀ, many rows', a: [32, 24], b: [8, 24], transposeA: false, transposeB: true },
  { name: 'A·Bᵀ, one row', a: [1, 24], b: [8, 24], transposeA: false, transposeB: true },
  { name: 'Aᵀ·B', a: [24, 16], b: [24, 8], transposeA: true, transposeB: false },
  { name: 'Aᵀ·Bᵀ', a: [24, 16], b: [8, 24], transposeA: true, transposeB: true },
  { name: 'one row times a small matrix', a: [1, 24], b: [24, 8], transposeA: false, transposeB: false },
  { name: 'one row times a large matrix', a: [1, 64], b: [64, 48], transposeA: false, transposeB: false },
  { name: 'batched with a broadcast operand', a: [3, 5, 6], b: [1, 6, 4], transposeA: false, transposeB: false },
];

function matMulCase(c: (typeof MATMUL_CASES)[number]): () => tf.Tensor {
  return () => {
    const a = tf.tensor(values(c.a.reduce((p, d) => p * d, 1), 1), c.a);
    const b = tf.tensor(values(c.b.reduce((p, d) => p * d, 1), 2), c.b);
    return tf.matMul(a, b, c.transposeA, c.transposeB);
  };
}

describe('initBackend', () => {
  it('forces the pure-JS cpu backend when asked', async () => {
    const info = await initBackend({ backend: 'cpu' });
    assert.equal(info.name, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.match(info.reason, /^forced/);
    assert.deepEqual(currentBackend(), info);
  });

  it('reads PLASTICD_BACKEND when no option is given', async () => {
    const info = await initBackend({ env: { PLASTICD_BACKEND: 'wasm' } });
    assert.equal(info.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('lets the option win over PLASTICD_BACKEND', async () => {
    const info = await initBackend({ backend: 'cpu', env: { PLASTICD_BACKEND: 'wasm' } });
    assert.equal(info.name, 'cpu');
  });

  it('is idempotent: the same request returns the same result without re-initialising', async () => {
    const first = await initBackend({ backend: 'wasm' });
    const logged: string[] = [];
    const second = await initBackend({ backend: 'wasm', log: (m) => logged.push(m) });
    assert.equal(second, first);
    assert.deepEqual(logged, []);
  });

  it('tells the injected logger which backend a fresh selection chose', async () => {
    const logged: string[] = [];
    await initBackend({ backend: 'auto', log: (m) => logged.push(m) });
    assert.equal(logged.length, 1);
    assert.match(logged[0], /^tfjs backend \S+: auto/);
  });

  it('auto picks the first available backend in speed order and reports why the faster ones were skipped', async () => {
    const info = await initBackend({ backend: 'auto' });
    const names = info.candidates.map((c) => c.name);
    assert.deepEqual(names, ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu-blas', 'cpu'].slice(0, names.length));
    assert.equal(info.candidates.at(-1)?.name, info.name);
    assert.equal(info.candidates.at(-1)?.available, true);
    for (const skipped of info.candidates.slice(0, -1)) {
      assert.equal(skipped.available, false);
      assert.ok(skipped.reason.length > 0, `${skipped.name} has a reason`);
    }
    assert.match(info.reason, /^auto/);
    assert.equal(tf.getBackend(), info.tfjsBackend);
  });

  it('rejects an unknown backend name with the list of valid ones', async () => {
    await assert.rejects(
      initBackend({ env: { PLASTICD_BACKEND: 'webgpu' } }),
      (error: unknown) => error instanceof PlasticdError && error.code === 'invalid_backend' && /PLASTICD_BACKEND/.test(error.message) && /wasm/.test(error.message),
    );
  });

  it('fails clearly when a forced backend cannot load (tfjs-node is not a dependency)', async () => {
    let installed = true;
    try {
      const name: string = '@tensorflow/tfjs-node';
      await import(name);
    } catch {
      installed = false;
    }
    if (installed) return; // nothing to assert where a user installed it
    await assert.rejects(
      initBackend({ backend: 'tensorflow' }),
      (error: unknown) =>
        error instanceof PlasticdError && error.code === 'backend_unavailable' && /tfjs-node is not installed/.test(error.message),
    );
  });

  it('registers gradient functions, which the tfjs-core bundle lacks', async () => {
    await initBackend({ backend: 'cpu' });
    registerGradients();
    const grad = tf.grad((x: tf.Tensor) => tf.mean(tf.square(x)))(tf.tensor1d([1, 2, 3]));
    assertClose(grad.dataSync() as Float32Array, new Float32Array([2 / 3, 4 / 3, 2]));
  });
});

describe('wasm matmul with explicit transposes', () => {
  for (const c of MATMUL_CASES) {
    it(`matches the cpu oracle for ${c.name}`, async () => {
      const expected = await on('cpu', matMulCase(c));
      assertClose(await on('wasm', matMulCase(c)), expected);
    });
  }

  for (const [rows, activation, transposeB] of [[1, 'relu', false], [1, 'linear', false], [1, 'elu', false], [16, 'relu', true], [3, 'relu', true]] as const) {
    it(`matches the cpu oracle for fused matmul, ${rows} row(s), bias + ${activation}${transposeB ? ', transposed B' : ''}`, async () => {
      const fused = () =>
        tf.fused.matMul({
          a: tf.tensor2d(values(rows * 64, 8), [rows, 64]),
          b: transposeB ? tf.tensor2d(values(48 * 64, 9), [48, 64]) : tf.tensor2d(values(64 * 48, 9), [64, 48]),
          transposeB,
          bias: tf.tensor1d(values(48, 10)),
          activation,
        });
      assertClose(await on('wasm', fused), await on('cpu', fused));
    });
  }

  it('frees the intermediate buffers it creates', async () => {
    await initBackend({ backend: 'wasm' });
    const backend = tf.backend();
    const step = () =>
      tf.tidy(() => {
        const x = tf.tensor2d(values(16 * 64, 11), [16, 64]);
        const row = tf.tensor2d(values(64, 12), [1, 64]);
        const w = tf.tensor2d(values(64 * 48, 13), [64, 48]);
        const b = tf.tensor1d(values(48, 14));
        tf.matMul(x, x, true, false).dataSync();
        tf.matMul(x, w, false, false).dataSync();
        tf.fused.matMul({ a: row, b: w, bias: b, activation: 'relu' }).dataSync();
        tf.fused.matMul({ a: x, b: tf.transpose(w), transposeB: true, bias: b, activation: 'relu' }).dataSync();
        for (const part of tf.split(tf.reshape(w, [-1]), [1000, 2072])) part.dataSync();
        tf.slice(x, [2, 0], [3, 64]).dataSync();
      });
    step();
    const before = backend.numDataIds();
    for (let i = 0; i < 5; i++) step();
    assert.equal(backend.numDataIds(), before);
  });

  for (const rows of [1, 16]) {
    it(`gives the same fused dense-layer gradients as the cpu oracle for ${rows} row(s)`, async () => {
      const grads = () => {
        const x = tf.tensor2d(values(rows * 64, 15), [rows, 64]);
        const w = tf.tensor2d(values(64 * 48, 16), [64, 48]);
        const b = tf.tensor1d(values(48, 17));
        const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.square(tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation: 'relu' })));
        const g = tf.grads(f)([x, w, b]);
        return tf.concat(g.map((t) => tf.reshape(t, [-1])));
      };
      assertClose(await on('wasm', grads), await on('cpu', grads));
    });
  }

  it('gives the same dense-layer gradients as the cpu oracle', async () => {
    const grads = () => {
      const x = tf.tensor2d(values(32 * 12, 3), [32, 12]);
      const w = tf.tensor2d(values(12 * 10, 4), [12, 10]);
      const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D))))([x, w]);
      return tf.concat([tf.reshape(g[0], [-1]), tf.reshape(g[1], [-1])]);
    };
    assertClose(await on('wasm', grads), await on('cpu', grads));
  });
});

describe('wasm slice and split without whole-tensor copies', () => {
  const cases: Array<[string, () => tf.Tensor]> = [
    ['split of a vector into uneven parts', () => tf.concat(tf.split(tf.tensor1d(values(100, 20)), [30, 1, 60, 9]).map((t, i) => tf.mul(t, i + 1)))],
    ['contiguous rows of a matrix', () => tf.slice(tf.tensor2d(values(60, 21), [10, 6]), [2, 0], [5, 6])],
    ['a non-contiguous block of a matrix', () => tf.slice(tf.tensor2d(values(60, 22), [10, 6]), [2, 1], [5, 3])],
    ['split along the columns', () => tf.concat(tf.split(tf.tensor2d(values(60, 23), [10, 6]), [2, 4], 1).map((t) => tf.reshape(t, [-1])))],
  ];
  for (const [name, f] of cases) {
    it(`matches the cpu oracle for ${name}`, async () => {
      assertClose(await on('wasm', f), await on('cpu', f), 0);
    });
  }
});

describe('cpu-blas backend', () => {
  const status = blasStatus();
  const skip = status.available ? false : `native addon unavailable: ${status.reason}`;
  before(async () => {
    if (status.available) await initBackend({ backend: 'cpu-blas' });
  });

  it('reports its BLAS library and runs single-threaded', { skip }, async () => {
    const info = await initBackend({ backend: 'cpu-blas' });
    assert.equal(info.name, 'cpu-blas');
    assert.equal(info.blas?.threads, 1);
    assert.equal(tf.getBackend(), 'cpu-blas');
  });

  for (const c of MATMUL_CASES) {
    it(`matches the cpu oracle for ${c.name}`, { skip }, async () => {
      const expected = await on('cpu', matMulCase(c));
      assertClose(await on('cpu-blas', matMulCase(c)), expected);
    });
  }

  for (const activation of ['linear', 'relu', 'sigmoid', 'elu', 'leakyrelu'] as const) {
    it(`matches the cpu oracle for fused matmul + bias + ${activation}`, { skip }, async () => {
      const fused = () =>
        tf.fused.matMul({
          a: tf.tensor2d(values(6 * 5, 5), [6, 5]),
          b: tf.tensor2d(values(5 * 7, 6), [5, 7]),
          bias: tf.tensor1d(values(7, 7)),
          activation,
        });
      assertClose(await on('cpu-blas', fused), await on('cpu', fused));
    });
  }

  it('leaves the plain cpu backend untouched (it stays the oracle)', { skip }, async () => {
    await initBackend({ backend: 'cpu-blas' });
    assert.notEqual(tf.getKernel(tf.BatchMatMul, 'cpu')?.kernelFunc, tf.getKernel(tf.BatchMatMul, 'cpu-blas')?.kernelFunc);
    assert.equal(tf.getKernel(tf.Add, 'cpu')?.kernelFunc, tf.getKernel(tf.Add, 'cpu-blas')?.kernelFunc);
  });
});
