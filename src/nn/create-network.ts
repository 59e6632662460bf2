/**
 * THE network factory: the same `Network` interface on two engines, chosen per network.
 * - 'typed' (typed/network.ts): in-place loops on Float32Arrays, OpenBLAS for large products when
 *   the addon is built. No per-op overhead: µs-level steps for small networks.
 * - 'tfjs' (network.ts): TensorFlow.js ops on the active backend (wasm, cpu-blas, tfjs-node(-gpu)).
 * 'auto' (the default) picks by measurement (bench/nn.bench.ts, docs in `chooseEngine`).
 * `PLASTICD_ENGINE=typed|tfjs` forces one for every network.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PlasticdError } from '../util/errors.ts';
import { loadBlasAddon } from '../../native/blas-kernels.ts';
import { createTfjsNetwork, type NetworkOptions } from './network.ts';
import { TypedNetwork } from './typed/network.ts';
import type { Network, NetworkSpec } from './types.ts';

export type NetworkEngine = 'auto' | 'tfjs' | 'typed';

export interface CreateNetworkOptions extends NetworkOptions {
  engine?: NetworkEngine;
  /** The training batch size the caller expects (default 1); 'auto' uses it to weigh the matrix products. */
  batchSize?: number;
}

const ENGINES: readonly NetworkEngine[] = ['auto', 'tfjs', 'typed'];

/**
 * Multiply-adds per training step (batch × Σ fanIn·fanOut) up to which the typed engine's plain-JS
 * products beat tfjs-wasm when the BLAS addon is missing. bench/nn.bench.ts, 2-core box (loaded):
 * 1×(20-256-256-1) = 71k: typed-noblas 2.3 ms vs wasm 4.6 ms; 32×(64-256-256-4) = 2.6M: 27 ms vs 10 ms.
 */
export const TYPED_WITHOUT_BLAS_MAX_MULTIPLY_ADDS = 500_000;

/** Weights from which a native/GPU tfjs backend (tfjs-node(-gpu), webgl, webgpu) is preferred (kernels amortise their dispatch). */
export const ACCELERATED_TFJS_MIN_WEIGHTS = 100_000;

/**
 * The 'auto' rule, from bench/nn.bench.ts (same box, PyTorch alongside): the typed engine with BLAS
 * beats tfjs-wasm on every bench shape (1×20-5-1: 12 µs vs 1,592; 1×20-256-256-1: 1.5 ms vs 4.6;
 * 32×64-256-256-4: 3.1 ms vs 10.2; 256×784-256-256-10: 17.9 ms vs 44.7), and cpu-blas tfjs is slower
 * still. So:
 * - PLASTICD_ENGINE or `engine` other than 'auto' wins;
 * - a native/GPU tfjs backend is active and the network has ≥ 100k weights → 'tfjs' (not measured
 *   here: no tfjs-node on the dev box; its kernels run natively with no per-op JS math);
 * - no BLAS addon and batch × weights > 500k multiply-adds → 'tfjs' (wasm's SIMD products win);
 * - otherwise 'typed'.
 */
export function chooseEngine(spec: NetworkSpec, requested: NetworkEngine = 'auto', batchSize = 1): 'tfjs' | 'typed' {
  const forced = process.env.PLASTICD_ENGINE;
  const choice = forced !== undefined && forced !== '' ? forced : requested;
  if (!ENGINES.includes(choice as NetworkEngine)) {
    throw new PlasticdError('nn_invalid_engine', `Unknown network engine "${choice}"${forced ? ' (from PLASTICD_ENGINE)' : ''}; expected auto, tfjs or typed.`);
  }
  if (choice !== 'auto') return choice as 'tfjs' | 'typed';
  let weights = 0;
  let fanIn = spec.inputSize;
  for (const units of [...spec.hidden.map((h) => h.units), spec.outputSize]) {
    weights += fanIn * units;
    fanIn = units;
  }
  const backend = tf.getBackend();
  const acceleratedTfjs = backend === 'tensorflow' || backend === 'webgl' || backend === 'webgpu';
  if (acceleratedTfjs && weights >= ACCELERATED_TFJS_MIN_WEIGHTS) return 'tfjs';
  if (batchSize * weights > TYPED_WITHOUT_BLAS_MAX_MULTIPLY_ADDS && loadBlasAddon() === null) return 'tfjs';
  return 'typed';
}

export function createNetwork(spec: NetworkSpec, options: CreateNetworkOptions = {}): Network {
  const { engine, batchSize, ...rest } = options;
  return chooseEngine(spec, engine, batchSize) === 'typed' ? new TypedNetwork(spec, rest) : createTfjsNetwork(spec, rest);
}
