/**
 * Bookkeeping for optimizer state tensors that outlive the tidy they are computed in.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PlasticdError } from '../../util/errors.ts';

export class SlotSet {
  private readonly tensors = new Map<string, tf.Tensor1D>();

  constructor(
    private readonly size: number,
    names: readonly string[],
  ) {
    for (const name of names) this.tensors.set(name, tf.keep(tf.zeros([size])));
  }

  get(name: string): tf.Tensor1D {
    return this.tensors.get(name)!;
  }

  /** Keeps `next` beyond the current tidy and frees the previous tensor. */
  set(name: string, next: tf.Tensor1D): void {
    const previous = this.tensors.get(name);
    this.tensors.set(name, tf.keep(next));
    if (previous !== next) previous?.dispose();
  }

  resetEntries(keep: tf.Tensor1D): void {
    tf.tidy(() => {
      for (const name of this.tensors.keys()) this.set(name, tf.mul(this.get(name), keep));
    });
  }

  read(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, tensor] of this.tensors) out[name] = tensor.dataSync().slice() as Float32Array;
    return out;
  }

  restore(slots: Record<string, ArrayLike<number>>): void {
    for (const name of this.tensors.keys()) {
      const values = slots[name];
      if (values === undefined || values.length !== this.size) {
        throw new PlasticdError('nn_state_mismatch', `Optimizer state "${name}" is missing or has the wrong length (expected ${this.size}).`);
      }
      this.set(name, tf.tensor1d(Float32Array.from(values)));
    }
  }

  copyFrom(other: SlotSet): void {
    for (const name of this.tensors.keys()) this.set(name, tf.clone(other.get(name)));
  }

  dispose(): void {
    for (const tensor of this.tensors.values()) tensor.dispose();
    this.tensors.clear();
  }
}
