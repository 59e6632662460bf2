/**
 * Bookkeeping for optimizer state tensors that outlive the tidy they are computed in. Each slot
 * has a reset value (0 for moments, 1 for Adam's running powers β^t) that a fresh optimizer starts
 * from and that `resetEntries` writes back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PlasticdError } from '../../util/errors.ts';

/** A slot name, or a name with the value its entries start from and are reset to (default 0). */
export type SlotSpec = string | { name: string; initial: number };

export class SlotSet {
  private readonly tensors = new Map<string, tf.Tensor1D>();
  private readonly initial = new Map<string, number>();

  constructor(
    private readonly size: number,
    specs: readonly SlotSpec[],
  ) {
    for (const spec of specs) {
      const { name, initial } = typeof spec === 'string' ? { name: spec, initial: 0 } : spec;
      this.initial.set(name, initial);
      this.tensors.set(name, tf.keep(initial === 0 ? tf.zeros([size]) : tf.fill([size], initial)));
    }
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

  /** Entries where `keep` is 0 go back to their slot's initial value; `keep` is 0/1. */
  resetEntries(keep: tf.Tensor1D): void {
    tf.tidy(() => {
      let dropped: tf.Tensor1D | null = null;
      for (const [name, value] of this.initial) {
        const kept = tf.mul(this.get(name), keep) as tf.Tensor1D;
        if (value === 0) {
          this.set(name, kept);
        } else {
          dropped ??= tf.sub(1, keep) as tf.Tensor1D;
          this.set(name, tf.add(kept, value === 1 ? dropped : tf.mul(dropped, value)) as tf.Tensor1D);
        }
      }
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
    }
    for (const name of this.tensors.keys()) this.set(name, tf.tensor1d(Float32Array.from(slots[name])));
  }

  copyFrom(other: SlotSet): void {
    for (const name of this.tensors.keys()) this.set(name, tf.clone(other.get(name)));
  }

  dispose(): void {
    for (const tensor of this.tensors.values()) tensor.dispose();
    this.tensors.clear();
  }
}
