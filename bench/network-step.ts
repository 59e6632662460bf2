/**
 * Adapter from bench shapes to the real src/nn networks (trainStep with the StepTrace), so
 * nn.bench.ts times exactly what the agents run: forward, backward, optimizer, StepTrace statistics
 * (and, on tfjs, the readbacks). `engine` picks the tfjs DenseNetwork (on the active backend) or the
 * typed-array engine: with the addon (BLAS products and C element-wise kernels), with BLAS products
 * but JS element-wise loops (typed-js-kernels), or pure JS (typed-noblas).
 */
import { createTfjsNetwork } from '../src/nn/network.ts';
import { TypedNetwork } from '../src/nn/typed/network.ts';
import { meanSquaredError, softmaxCrossEntropy } from '../src/nn/losses.ts';
import type { Network, NetworkSpec } from '../src/nn/types.ts';
import type { BenchShape, PrototypeStep } from './mlp-prototype.ts';

export type BenchEngine = 'tfjs' | 'typed' | 'typed-js-kernels' | 'typed-noblas';

function fill(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 12.9898 + i * 78.233);
  return out;
}

export function benchSpec(shape: BenchShape): NetworkSpec {
  const { layers } = shape;
  return {
    name: 'bench',
    inputSize: layers[0],
    hidden: layers.slice(1, -1).map((units) => ({ units, activation: 'relu' as const })),
    outputSize: layers[layers.length - 1],
    init: 'torch_default',
    seed: 1,
  };
}

export function createNetworkStep(shape: BenchShape, engine: BenchEngine = 'tfjs', blasThreshold?: number): PrototypeStep & { network: Network } {
  const { batch } = shape;
  const spec = benchSpec(shape);
  const options = {
    optimizer: shape.optimizer === 'sgd' ? ({ kind: 'sgd', learningRate: 0.01 } as const) : ({ kind: 'adam', learningRate: 1e-4 } as const),
  };
  const network: Network =
    engine === 'tfjs' ? createTfjsNetwork(spec, options) : new TypedNetwork(spec, { ...options, blas: engine !== 'typed-noblas', nativeKernels: engine === 'typed', blasThreshold });
  const input = fill(batch * spec.inputSize, 3);
  const outSize = spec.outputSize;
  const loss =
    shape.loss === 'xent'
      ? softmaxCrossEntropy(Int32Array.from({ length: batch }, (_, b) => b % outSize))
      : meanSquaredError(fill(batch * outSize, 5));
  const args = { input, batchSize: batch, loss };
  return {
    network,
    step: () => {
      network.trainStep(args);
    },
    dispose: () => network.dispose(),
  };
}
