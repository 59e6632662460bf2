import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { meanSquaredError } from '../../src/nn/losses.ts';
import { gradientClipScale, validateOptimizerConfig, type OptimizerConfig } from '../../src/nn/optimizers/optimizer.ts';
import type { NetworkSpec } from '../../src/nn/types.ts';
import { ENGINES, networkOn } from './engines.ts';
import { useCpuBackend } from './reference-mlp.ts';

before(useCpuBackend);

const SPEC: NetworkSpec = { name: 'clip', inputSize: 3, hidden: [{ units: 8, activation: 'tanh' }], outputSize: 2, init: 'torch_default', seed: 5 };
const INPUT = new Float32Array([1, -2, 0.5, 0.3, 0.1, -1]);
/** Targets far from the initial outputs: the gradient norm is well above 1. */
const TARGETS = new Float32Array([40, -30, 25, 10]);

function parameterDelta(engine: 'tfjs' | 'typed', optimizer: OptimizerConfig): Float32Array {
  const network = networkOn(engine, SPEC, { optimizer });
  const before = network.state().parameters;
  network.trainStep({ input: INPUT, batchSize: 2, loss: meanSquaredError(TARGETS) });
  const after = network.state().parameters;
  const delta: number[] = [];
  for (const key of Object.keys(before).sort()) for (let k = 0; k < before[key].length; k++) delta.push(after[key][k] - before[key][k]);
  network.dispose();
  return Float32Array.from(delta);
}

function norm(values: Float32Array): number {
  let squares = 0;
  for (const v of values) squares += v * v;
  return Math.sqrt(squares);
}

describe('gradient-norm clipping (maxGradNorm)', () => {
  it('scales by min(1, max / (‖g‖ + 1e-6)), as torch clip_grad_norm_', () => {
    assert.equal(gradientClipScale(100, undefined), 1);
    assert.equal(gradientClipScale(100, 20), 1);
    assert.ok(Math.abs(gradientClipScale(400, 10) - 10 / (20 + 1e-6)) < 1e-12);
  });

  for (const engine of ENGINES) {
    it(`shortens an SGD step to lr × maxGradNorm when the gradient is longer (${engine})`, () => {
      const free = parameterDelta(engine, { kind: 'sgd', learningRate: 0.01 });
      const clipped = parameterDelta(engine, { kind: 'sgd', learningRate: 0.01, maxGradNorm: 0.5 });
      assert.ok(norm(free) > 0.01 * 0.5 * 2, `the unclipped step ${norm(free)} must be longer than the cap`);
      assert.ok(Math.abs(norm(clipped) - 0.01 * 0.5) < 1e-6, `clipped step norm ${norm(clipped)}`);
      // Same direction: clipped = free × scale.
      const scale = norm(clipped) / norm(free);
      for (let k = 0; k < free.length; k++) assert.ok(Math.abs(clipped[k] - scale * free[k]) < 1e-6);
    });

    it(`leaves a step unchanged when the gradient is shorter than maxGradNorm (${engine})`, () => {
      const free = parameterDelta(engine, { kind: 'adam', learningRate: 0.01 });
      const loose = parameterDelta(engine, { kind: 'adam', learningRate: 0.01, maxGradNorm: 1e6 });
      assert.deepEqual(loose, free);
    });

    it(`changes Adam's first step only through the moments (${engine})`, () => {
      // Adam's first step is lr·g/|g| per entry (up to ε), so clipping a long gradient barely changes it.
      const free = parameterDelta(engine, { kind: 'adam', learningRate: 0.01 });
      const clipped = parameterDelta(engine, { kind: 'adam', learningRate: 0.01, maxGradNorm: 0.5 });
      for (let k = 0; k < free.length; k++) assert.ok(Math.abs(clipped[k] - free[k]) < 1e-4);
    });
  }

  it('rejects a maxGradNorm that is not positive', () => {
    assert.throws(() => validateOptimizerConfig({ kind: 'adam', learningRate: 1e-3, maxGradNorm: 0 }), /maxGradNorm must be > 0/);
  });
});
