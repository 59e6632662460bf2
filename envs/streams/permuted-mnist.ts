/**
 * Online permuted MNIST (Dohare et al., Nature 2024, arXiv 2306.13812), as in
 * `shibhansh/loss-of-plasticity: lop/permuted_mnist/online_expr.py`: the 60,000 training images as
 * 784 float32 pixels scaled to [0,1] (`ToTensor`, no normalisation); every task draws a fresh pixel
 * permutation and a fresh example order and shows `examplesPerTask` examples one at a time (60,000 =
 * one pass; fewer takes the first ones of the shuffled order; more wraps around the same order, as
 * the reference's `start_idx % examples_per_task` does). Deviations: the reference composes each new
 * permutation with the previous ones (`x = x[:, perm]`), we permute the original images afresh, which
 * is equal in law; `numImages` < 60,000 draws a fixed random subset once (L2 Init's 10,000-image variant).
 */
import { Rng } from '../../src/util/rng.ts';
import type { RngState } from '../../src/util/rng.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { BaseStream, hashInts, requirePositiveInteger, writeOneHot } from './stream.ts';
import { loadMnist, PIXEL_SCALE } from './mnist-reader.ts';
import type { MnistSplit } from './mnist-reader.ts';

export type PermutedMnistOptions = {
  /** Seeds the subset, the permutations and the example orders. Default 0. */
  seed: number;
  /** Examples per task (one per step). Default 60,000 (one pass over the training set). */
  examplesPerTask: number;
  /** Size of the image pool, a fixed random subset of the training set when below 60,000. Default 60,000. */
  numImages: number;
};

export const PERMUTED_MNIST_DEFAULTS: PermutedMnistOptions = { seed: 0, examplesPerTask: 60_000, numImages: 60_000 };

const NUM_CLASSES = 10;

export class PermutedMnistStream extends BaseStream {
  readonly id: string;
  readonly kind = 'classification' as const;
  readonly inputSize = 784;
  readonly targetSize = NUM_CLASSES;
  override readonly numClasses = NUM_CLASSES;
  readonly options: PermutedMnistOptions;
  private readonly data: MnistSplit;
  /** Indices into the training set of the images this stream uses. */
  private readonly pool: Int32Array;
  private readonly taskRng: Rng;
  private taskStartState: RngState;
  private readonly permutation = new Int32Array(784);
  /** The current task's example order, as training-set indices. */
  private readonly order: Int32Array;

  constructor(options: Partial<PermutedMnistOptions> = {}, id = 'permuted-mnist') {
    const resolved = { ...PERMUTED_MNIST_DEFAULTS, ...options };
    super(resolved.examplesPerTask);
    if (!Number.isFinite(resolved.seed)) throw new PlasticdError('invalid_stream_option', `seed must be a finite number, got ${resolved.seed}`);
    requirePositiveInteger('numImages', resolved.numImages);
    this.id = id;
    this.options = resolved;
    this.data = loadMnist('train');
    if (resolved.numImages > this.data.count) {
      throw new PlasticdError('invalid_stream_option', `numImages must be at most ${this.data.count}, got ${resolved.numImages}`);
    }
    const root = new Rng(resolved.seed);
    this.pool = drawPool(root.fork(), this.data.count, resolved.numImages);
    this.taskRng = root.fork();
    this.taskStartState = this.taskRng.state();
    this.order = new Int32Array(resolved.numImages);
    this.enterTask();
  }

  get params(): Record<string, unknown> {
    return { task: this.currentTask, permutationHash: hashInts(this.permutation) };
  }

  /** The current task's pixel permutation (a copy): input pixel p shows image pixel `permutation[p]`. */
  currentPermutation(): Int32Array {
    return this.permutation.slice();
  }

  /** The current task's example order as training-set indices (a copy). */
  currentOrder(): Int32Array {
    return this.order.slice();
  }

  protected enterTask(): void {
    this.taskStartState = this.taskRng.state();
    this.taskRng.permutation(784, this.permutation);
    this.order.set(this.pool);
    this.taskRng.shuffle(this.order);
  }

  protected writeExample(
    indexInTask: number,
    input: Float32Array,
    inputOffset: number,
    target: Float32Array,
    targetOffset: number,
  ): number {
    const image = this.order[indexInTask % this.order.length];
    const pixels = this.data.pixels;
    const base = image * 784;
    const permutation = this.permutation;
    for (let p = 0; p < 784; p++) input[inputOffset + p] = PIXEL_SCALE[pixels[base + permutation[p]]];
    const label = this.data.labels[image];
    writeOneHot(target, targetOffset, NUM_CLASSES, label);
    return label;
  }

  protected captureExtra(): { rngs: Record<string, RngState>; extra: Record<string, unknown> } {
    return { rngs: { taskStart: this.taskStartState }, extra: {} };
  }

  protected applyExtra(rngs: Record<string, RngState>): void {
    if (!rngs.taskStart) throw new PlasticdError('stream_state_invalid', `${this.id}: state lacks the task RNG state`);
    this.taskRng.restore(rngs.taskStart);
    this.enterTask();
  }
}

/** All indices in order, or `size` distinct ones drawn at random. */
export function drawPool(rng: Rng, total: number, size: number): Int32Array {
  if (size === total) return Int32Array.from({ length: total }, (_, i) => i);
  return rng.permutation(total).slice(0, size);
}
