import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { OptimizerSnapshot } from '../../src/nn/state.ts';
import type { NetworkSpec, OutputLoss } from '../../src/nn/types.ts';
import { ENGINES, networkOn } from './engines.ts';
import { assertClose, useCpuBackend } from './reference-mlp.ts';

before(useCpuBackend);

/** The "loss" whose gradient feeds the trace: V(s), the single output (batch 1). */
const value: OutputLoss = (output, _batch, gradient) => {
  gradient[0] = 1;
  return output[0];
};

const linear: NetworkSpec = { name: 'v', inputSize: 3, hidden: [], outputSize: 1, seed: 4 };
const obgd = { kind: 'obgd', learningRate: 1, gamma: 0.9, lambda: 0.5, kappa: 2 } as const;

function traceOf(state: { optimizer: unknown }): Record<string, Float32Array> {
  return (state.optimizer as OptimizerSnapshot).slots.eligibilityTrace;
}

for (const engine of ENGINES) {
  describe(`ObGD on the ${engine} engine`, () => {
    it('accumulates z ← γλz + ∇V and steps θ ← θ + α/max(ακ·max(|δ|,1)·‖z‖₁, 1)·δ·z', () => {
      const net = networkOn(engine, linear, { optimizer: obgd });
      const x1 = new Float32Array([0.5, -1, 2]);
      const x2 = new Float32Array([1, 0.25, -0.5]);
      const w0 = net.layerWeights()[0];
      // Step 1: z = [x1, 1]; ‖z‖₁ = 4.5; δ = 0.3 → δ̄ = 1, M = 1·2·1·4.5 = 9, α_eff = 1/9.
      net.trainStep({ input: x1, batchSize: 1, loss: value, signal: 0.3 });
      const z1 = [...x1, 1];
      const w1 = net.layerWeights()[0];
      const theta0 = [...w0.weight, ...w0.bias];
      const theta1 = theta0.map((t, k) => t + (1 / 9) * 0.3 * z1[k]);
      assertClose([...w1.weight, ...w1.bias], theta1, 1e-7, 1e-6, 'θ after step 1');
      // Step 2: z = 0.45·z1 + [x2, 1]; δ = −2.5 → δ̄ = 2.5.
      net.trainStep({ input: x2, batchSize: 1, loss: value, signal: -2.5 });
      const z2 = z1.map((z, k) => 0.45 * z + [...x2, 1][k]);
      const norm = z2.reduce((s, z) => s + Math.abs(z), 0);
      const stepSize = 1 / Math.max(2 * 2.5 * norm, 1);
      const theta2 = theta1.map((t, k) => t + stepSize * -2.5 * z2[k]);
      const w2 = net.layerWeights()[0];
      assertClose([...w2.weight, ...w2.bias], theta2, 1e-6, 1e-5, 'θ after step 2');
      const trace = traceOf(net.state());
      assertClose([...trace['output.weight'], ...trace['output.bias']], z2, 1e-6, 1e-6, 'eligibility trace');
      net.dispose();
    });

    it('takes the full step α·δ·z when the bound M ≤ 1', () => {
      const net = networkOn(engine, linear, { optimizer: { kind: 'obgd', learningRate: 0.01 } });
      const before = net.layerWeights()[0].bias[0];
      net.trainStep({ input: new Float32Array([0.1, 0.1, 0.1]), batchSize: 1, loss: value, signal: 0.5 });
      // ‖z‖₁ = 1.3, M = 0.01·2·1·1.3 < 1.
      assert.ok(Math.abs(net.layerWeights()[0].bias[0] - (before + 0.01 * 0.5)) < 1e-7);
      net.dispose();
    });

    it('resetEligibilityTraces() zeroes z; a step without a signal is refused and changes nothing', () => {
      const net = networkOn(engine, linear, { optimizer: obgd });
      net.trainStep({ input: new Float32Array([1, 2, 3]), batchSize: 1, loss: value, signal: 1 });
      assert.ok(traceOf(net.state())['output.weight'].some((z) => z !== 0));
      net.resetEligibilityTraces();
      for (const values of Object.values(traceOf(net.state()))) assert.ok(values.every((z) => z === 0));
      const snapshot = net.state();
      assert.throws(() => net.trainStep({ input: new Float32Array(3), batchSize: 1, loss: value }), (e: unknown) => e instanceof PlasticdError && e.code === 'nn_bad_input');
      assert.deepEqual(net.state().parameters, snapshot.parameters);
      assert.equal(net.updates, 1);
      net.dispose();
    });

    it('unit surgery clears z at exactly the touched entries', () => {
      const spec: NetworkSpec = { name: 'c', inputSize: 3, hidden: [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'relu' }], outputSize: 1, seed: 9 };
      const net = networkOn(engine, spec, { optimizer: obgd });
      const rng = new Rng(1);
      for (let k = 0; k < 5; k++) net.trainStep({ input: Float32Array.from({ length: 3 }, () => rng.normal()), batchSize: 1, loss: value, signal: rng.normal() });
      const before = traceOf(net.state());
      net.reinitializeUnits(0, [2]);
      const after = traceOf(net.state());
      for (const [name, values] of Object.entries(before)) {
        for (let k = 0; k < values.length; k++) {
          const touched =
            (name === 'hidden0.weight' && Math.floor(k / 3) === 2) || (name === 'hidden0.bias' && k === 2) || (name === 'hidden1.weight' && k % 4 === 2);
          if (touched) assert.ok(after[name][k] === 0, `${name}[${k}] cleared`);
          else assert.equal(after[name][k], values[k], `${name}[${k}] kept`);
        }
      }
      assert.ok(before['hidden0.weight'].some((z, k) => Math.floor(k / 3) === 2 && z !== 0), 'there was trace to clear');
      net.dispose();
    });

    it('refuses gradient-side regularizers, which have no meaning along an eligibility trace', () => {
      assert.throws(() => networkOn(engine, linear, { optimizer: obgd, regularizers: { l2: {} } }), /ObGD optimizer cannot be combined with l2/);
      networkOn(engine, linear, { optimizer: obgd, regularizers: { shrinkPerturb: {} } }).dispose();
    });
  });
}

describe('ObGD across engines', () => {
  it('both engines follow the same trajectory (tanh critic, 50 streaming steps, episode resets)', () => {
    const spec: NetworkSpec = { name: 'critic', inputSize: 4, hidden: [{ units: 16, activation: 'leaky_relu', layerNorm: true }], outputSize: 1, seed: 3 };
    const nets = ENGINES.map((engine) => networkOn(engine, spec, { optimizer: { kind: 'obgd', learningRate: 1, kappa: 2 } }));
    const rng = new Rng(11);
    for (let k = 0; k < 50; k++) {
      const input = Float32Array.from({ length: 4 }, () => rng.normal());
      const signal = rng.normal();
      for (const net of nets) net.trainStep({ input, batchSize: 1, loss: value, signal });
      if (k % 10 === 9) for (const net of nets) net.resetEligibilityTraces();
    }
    const [a, b] = nets.map((net) => net.layerWeights().flatMap((w) => [...w.weight, ...w.bias]));
    assertClose(b, a, 1e-5, 1e-4, 'weights');
    for (const net of nets) net.dispose();
  });
});
