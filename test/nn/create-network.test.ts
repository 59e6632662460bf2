import { afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseEngine, createNetwork } from '../../src/nn/create-network.ts';
import { DenseNetwork } from '../../src/nn/network.ts';
import { TypedNetwork } from '../../src/nn/typed/network.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { loadBlasAddon } from '../../native/blas-kernels.ts';
import type { NetworkSpec } from '../../src/nn/types.ts';
import { useCpuBackend } from './reference-mlp.ts';

before(useCpuBackend);

const small: NetworkSpec = { name: 'bits', inputSize: 20, hidden: [{ units: 5, activation: 'relu' }], outputSize: 1, seed: 1 };

describe('createNetwork', () => {
  const saved = process.env.PLASTICD_ENGINE;
  afterEach(() => {
    if (saved === undefined) delete process.env.PLASTICD_ENGINE;
    else process.env.PLASTICD_ENGINE = saved;
  });

  it('builds the engine asked for, and the typed engine for a small network under auto (cpu tfjs backend)', () => {
    delete process.env.PLASTICD_ENGINE;
    const typed = createNetwork(small, { engine: 'typed' });
    const tfjs = createNetwork(small, { engine: 'tfjs' });
    const auto = createNetwork(small);
    assert.ok(typed instanceof TypedNetwork);
    assert.ok(tfjs instanceof DenseNetwork);
    assert.ok(auto instanceof TypedNetwork);
    assert.deepEqual(typed.layerWeights(), tfjs.layerWeights());
    for (const net of [typed, tfjs, auto]) net.dispose();
  });

  it('auto keeps large batched networks on tfjs only when the BLAS addon is missing', () => {
    delete process.env.PLASTICD_ENGINE;
    const large: NetworkSpec = { name: 'mnist', inputSize: 784, hidden: [{ units: 256, activation: 'relu' }, { units: 256, activation: 'relu' }], outputSize: 10, seed: 1 };
    // 268k weights: one sample is within the plain-JS budget, a batch of 256 is not.
    assert.equal(chooseEngine(large, 'auto', 1), 'typed');
    assert.equal(chooseEngine(large, 'auto', 256), loadBlasAddon() === null ? 'tfjs' : 'typed');
    assert.equal(chooseEngine(small, 'auto', 256), 'typed');
  });

  it('lets PLASTICD_ENGINE force an engine over the option, and rejects unknown engines by name', () => {
    process.env.PLASTICD_ENGINE = 'tfjs';
    assert.equal(chooseEngine(small, 'typed'), 'tfjs');
    const net = createNetwork(small, { engine: 'typed' });
    assert.ok(net instanceof DenseNetwork);
    net.dispose();
    process.env.PLASTICD_ENGINE = 'gpu';
    assert.throws(() => createNetwork(small), (e: unknown) => e instanceof PlasticdError && e.code === 'nn_invalid_engine' && /PLASTICD_ENGINE/.test(e.message));
    delete process.env.PLASTICD_ENGINE;
    assert.throws(() => createNetwork(small, { engine: 'fast' as 'typed' }), /Unknown network engine "fast"/);
  });
});
