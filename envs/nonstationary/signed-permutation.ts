/**
 * A permutation of n indices with optional sign flips, the regime of the permuted-observation and
 * permuted-action wrappers. Element k of the outer vector is `signs[k] * inner[permutation[k]]`.
 * Redrawing always yields a regime different from the current one, so every shift changes the task
 * (for n = 2 without flips that means a swap each time).
 */
import type { Rng } from '../../src/util/rng.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { Box } from '../spaces.ts';

export class SignedPermutation {
  readonly permutation: Int32Array;
  readonly signs: Int8Array;
  private readonly scratchPermutation: Int32Array;
  private readonly scratchSigns: Int8Array;

  constructor(
    readonly size: number,
    readonly flipSigns: boolean,
    owner: string,
  ) {
    if (!Number.isInteger(size) || size < 1 || (size === 1 && !flipSigns)) {
      throw new PlasticdError('invalid_option', `${owner}: permuting needs at least 2 elements (or sign flips for 1), got ${size}`);
    }
    this.permutation = new Int32Array(size);
    this.signs = new Int8Array(size);
    this.scratchPermutation = new Int32Array(size);
    this.scratchSigns = new Int8Array(size);
    this.setIdentity();
  }

  setIdentity(): void {
    for (let i = 0; i < this.size; i++) this.permutation[i] = i;
    this.signs.fill(1);
  }

  isIdentity(): boolean {
    for (let i = 0; i < this.size; i++) if (this.permutation[i] !== i || this.signs[i] !== 1) return false;
    return true;
  }

  /** A fresh uniformly random regime, different from the current one. */
  redraw(rng: Rng): void {
    do {
      rng.permutation(this.size, this.scratchPermutation);
      for (let i = 0; i < this.size; i++) this.scratchSigns[i] = this.flipSigns && rng.bernoulli(0.5) ? -1 : 1;
    } while (this.sameAsCurrent());
    this.permutation.set(this.scratchPermutation);
    this.signs.set(this.scratchSigns);
  }

  private sameAsCurrent(): boolean {
    for (let i = 0; i < this.size; i++) {
      if (this.scratchPermutation[i] !== this.permutation[i] || this.scratchSigns[i] !== this.signs[i]) return false;
    }
    return true;
  }

  /** `out[k] = signs[k] * inner[permutation[k]]`. */
  apply(inner: ArrayLike<number>, out: { [k: number]: number }): void {
    for (let k = 0; k < this.size; k++) out[k] = this.signs[k]! * inner[this.permutation[k]!]!;
  }

  /** `inner[permutation[k]] = signs[k] * outer[k]` (the inverse of `apply`). */
  applyInverse(outer: ArrayLike<number>, inner: { [k: number]: number }): void {
    for (let k = 0; k < this.size; k++) inner[this.permutation[k]!] = this.signs[k]! * outer[k]!;
  }

  /** Rewrites `outer`'s bounds in place to the image of `inner`'s under this regime. */
  mapBounds(inner: Box, outer: Box): void {
    for (let k = 0; k < this.size; k++) {
      const j = this.permutation[k]!;
      const flip = this.signs[k]! < 0;
      outer.low[k] = flip ? -inner.high[j]! : inner.low[j]!;
      outer.high[k] = flip ? -inner.low[j]! : inner.high[j]!;
    }
  }

  toJSON(): { permutation: number[]; signs: number[] } {
    return { permutation: Array.from(this.permutation), signs: Array.from(this.signs) };
  }

  restore(state: unknown, owner: string): void {
    const { permutation, signs } = (state ?? {}) as { permutation?: unknown; signs?: unknown };
    const valid =
      Array.isArray(permutation) &&
      Array.isArray(signs) &&
      permutation.length === this.size &&
      signs.length === this.size &&
      new Set(permutation).size === this.size &&
      permutation.every((p) => Number.isInteger(p) && p >= 0 && p < this.size) &&
      signs.every((s) => s === 1 || s === -1);
    if (!valid) throw new PlasticdError('invalid_env_state', `${owner}: state is not a signed permutation of ${this.size} elements`);
    this.permutation.set(permutation as number[]);
    this.signs.set(signs as number[]);
  }
}
