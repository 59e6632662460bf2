import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { curvatureProbe, selectOutput } from '../../monitoring/curvature-probe.ts';
import { gaussNewtonSpectrum } from '../../monitoring/metrics/curvature.ts';
import { createNetwork } from '../../src/nn/index.ts';
import type { NetworkSpec } from '../../src/nn/types.ts';
import { Rng } from '../../src/util/rng.ts';

/** The textbook route: materialise J row by row from parameterGradient, then JᵀJ's spectrum. */
function explicitSpectrum(spec: NetworkSpec, samples: number, seed: number) {
  const net = createNetwork(spec, { engine: 'typed' });
  const rng = new Rng(seed);
  const input = Float32Array.from({ length: samples * spec.inputSize }, () => rng.normal());
  const rows = samples * spec.outputSize;
  const jacobian = new Float64Array(rows * net.parameterCount);
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < spec.outputSize; c++) {
      const { gradient } = net.parameterGradient(input.subarray(s * spec.inputSize, (s + 1) * spec.inputSize), 1, selectOutput(c));
      jacobian.set(gradient, (s * spec.outputSize + c) * net.parameterCount);
    }
  }
  return { net, input, explicit: gaussNewtonSpectrum(jacobian, rows, net.parameterCount) };
}

describe('curvatureProbe', () => {
  const cases: Array<[string, NetworkSpec, number]> = [
    ['dense layers', { name: 'm', inputSize: 5, hidden: [{ units: 7, activation: 'tanh' }, { units: 6, activation: 'relu' }], outputSize: 3, init: 'torch_default', seed: 3 }, 4],
    ['LayerNorm layers', { name: 'm', inputSize: 4, hidden: [{ units: 6, activation: 'relu', layerNorm: true }, { units: 5, activation: 'tanh', layerNorm: true }], outputSize: 2, seed: 5 }, 3],
    [
      'leaky ReLU, sigmoid and linear layers (the analytic δ route)',
      { name: 'm', inputSize: 4, hidden: [{ units: 6, activation: 'leaky_relu' }, { units: 5, activation: 'sigmoid' }, { units: 4, activation: 'linear' }], outputSize: 3, init: 'torch_default', seed: 9 },
      4,
    ],
    ['a non-linear output layer (the parameterGradient fallback)', { name: 'm', inputSize: 3, hidden: [{ units: 5, activation: 'relu' }], outputSize: 2, outputActivation: 'tanh', seed: 4 }, 3],
    ['more Jacobian rows than parameters', { name: 'm', inputSize: 1, hidden: [{ units: 2, activation: 'tanh' }], outputSize: 3, seed: 7 }, 6],
  ];
  for (const [what, spec, samples] of cases) {
    it(`equals the explicit Gauss–Newton spectrum for ${what}`, () => {
      const { net, input, explicit } = explicitSpectrum(spec, samples, 11);
      const probe = curvatureProbe(net, input, samples);
      assert.equal(probe.eigenvalues.length, explicit.eigenvalues.length);
      for (let k = 0; k < probe.eigenvalues.length; k++) {
        assert.ok(Math.abs(probe.eigenvalues[k] - explicit.eigenvalues[k]) <= 1e-5 * explicit.largestEigenvalue, `λ${k}: ${probe.eigenvalues[k]} vs ${explicit.eigenvalues[k]}`);
      }
      assert.equal(probe.srank, explicit.srank);
      assert.equal(probe.numericalRank, explicit.numericalRank);
      assert.ok(Math.abs(probe.trace - explicit.trace) <= 1e-5 * explicit.trace);
      assert.ok(probe.srank >= 1);
      net.dispose();
    });
  }
  it('refuses more samples than rows given', () => {
    const net = createNetwork({ name: 'm', inputSize: 2, hidden: [{ units: 3, activation: 'relu' }], outputSize: 1, seed: 1 }, { engine: 'typed' });
    assert.throws(() => curvatureProbe(net, new Float32Array(4), 3), /1\.\.2 samples/);
  });
});
