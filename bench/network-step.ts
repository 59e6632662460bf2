/**
 * Adapter from bench shapes to the real src/nn Network (createNetwork + trainStep), so nn.bench.ts
 * times exactly what the agents run: forward, backward, optimizer, StepTrace statistics and the one
 * readback. Returns null while src/nn/network.ts does not exist.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkSpec } from '../src/nn/types.ts';
import type { BenchShape, PrototypeStep } from './mlp-prototype.ts';

function fill(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 12.9898 + i * 78.233);
  return out;
}

export async function createNetworkStep(shape: BenchShape): Promise<PrototypeStep | null> {
  const path = fileURLToPath(new URL('../src/nn/network.ts', import.meta.url));
  if (!existsSync(path)) return null;
  const { createNetwork } = await import('../src/nn/network.ts');
  const { layers, batch } = shape;
  const spec: NetworkSpec = {
    name: 'bench',
    inputSize: layers[0],
    hidden: layers.slice(1, -1).map((units) => ({ units, activation: 'relu' as const })),
    outputSize: layers[layers.length - 1],
    init: 'torch_default',
    seed: 1,
  };
  const network = createNetwork(spec, {
    optimizer: shape.optimizer === 'sgd' ? { kind: 'sgd', learningRate: 0.01 } : { kind: 'adam', learningRate: 1e-4 },
  });
  const input = fill(batch * spec.inputSize, 3);
  const outSize = spec.outputSize;
  const target = new Float32Array(batch * outSize);
  if (shape.loss === 'xent') for (let b = 0; b < batch; b++) target[b * outSize + (b % outSize)] = 1;
  else target.set(fill(batch * outSize, 5));
  const loss =
    shape.loss === 'xent'
      ? (out: tf.Tensor2D) => tf.neg(tf.mean(tf.sum(tf.mul(tf.tensor2d(target, [batch, outSize]), tf.logSoftmax(out)), 1))) as tf.Scalar
      : (out: tf.Tensor2D) => tf.mean(tf.squaredDifference(out, tf.tensor2d(target, [batch, outSize]))) as tf.Scalar;
  return {
    step: () => {
      network.trainStep({ input, batchSize: batch, loss });
    },
    dispose: () => network.dispose(),
  };
}
