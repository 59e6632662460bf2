/**
 * Gymnasium's spaces (gymnasium/spaces/{box,discrete,multi_discrete}.py, v1.3): the set of valid
 * observations or actions, with `contains()` to check one and a seeded `sample()` to draw one.
 * Like Gymnasium, a space owns its own RNG: seeding an env does not seed its spaces.
 */
import { Rng } from '../src/util/rng.ts';

export type FloatDtype = 'float32' | 'float64';
export type IntDtype = 'int32' | 'int64';
export type BoxDtype = FloatDtype | IntDtype;
export type BoxValue = Float32Array | Float64Array | Int32Array;

export interface Space<T> {
  readonly kind: 'box' | 'discrete' | 'multi-discrete';
  /** Shape of one element (empty for a scalar Discrete). */
  readonly shape: readonly number[];
  seed(seed: number): void;
  sample(): T;
  contains(x: unknown): boolean;
  /** Gymnasium-style description, used in error messages: `Discrete(2)`, `Box(-2.0, 2.0, (1,), float32)`. */
  toString(): string;
  toJSON(): SpaceDescription;
}

export type SpaceDescription =
  | { kind: 'box'; low: number[]; high: number[]; shape: number[]; dtype: BoxDtype }
  | { kind: 'discrete'; n: number; start: number }
  | { kind: 'multi-discrete'; nvec: number[]; start: number[] };

function formatNumber(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

export class Box implements Space<BoxValue> {
  readonly kind = 'box' as const;
  readonly shape: readonly number[];
  readonly size: number;
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly dtype: BoxDtype;
  private rng: Rng = Rng.fromEntropy();

  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[], dtype: BoxDtype = 'float32') {
    const inferred = shape ?? (typeof low !== 'number' ? [low.length] : typeof high !== 'number' ? [high.length] : undefined);
    if (!inferred) throw new RangeError('Box needs a shape when low and high are both scalars');
    this.shape = [...inferred];
    this.size = this.shape.reduce((a, b) => a * b, 1);
    this.dtype = dtype;
    this.low = broadcast(low, this.size, 'low');
    this.high = broadcast(high, this.size, 'high');
    for (let i = 0; i < this.size; i++) {
      if (!(this.low[i]! <= this.high[i]!)) throw new RangeError(`Box low[${i}] = ${this.low[i]} is above high[${i}] = ${this.high[i]}`);
    }
    if (dtype === 'float32') {
      // Bounds are stored as the float32 values Gymnasium keeps, so `contains` agrees with it.
      for (let i = 0; i < this.size; i++) {
        this.low[i] = Math.fround(this.low[i]!);
        this.high[i] = Math.fround(this.high[i]!);
      }
    }
  }

  seed(seed: number): void {
    this.rng = new Rng(seed);
  }

  isBounded(): boolean {
    for (let i = 0; i < this.size; i++) if (!Number.isFinite(this.low[i]!) || !Number.isFinite(this.high[i]!)) return false;
    return true;
  }

  /** Uniform on bounded dims, shifted exponential on half-bounded ones, normal on unbounded (as Gymnasium). */
  sample(): BoxValue {
    const out = this.allocate();
    const isInt = this.dtype === 'int32' || this.dtype === 'int64';
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i]!;
      const hi = isInt ? this.high[i]! + 1 : this.high[i]!;
      const loFinite = Number.isFinite(lo);
      const hiFinite = Number.isFinite(hi);
      let x: number;
      if (loFinite && hiFinite) x = this.rng.uniform(lo, hi);
      else if (loFinite) x = lo + this.rng.exponential();
      else if (hiFinite) x = hi - this.rng.exponential();
      else x = this.rng.normal();
      out[i] = isInt ? Math.min(Math.floor(x), this.high[i]!) : x;
    }
    return out;
  }

  contains(x: unknown): boolean {
    if (!isNumericArray(x) || x.length !== this.size) return false;
    const isInt = this.dtype === 'int32' || this.dtype === 'int64';
    for (let i = 0; i < this.size; i++) {
      const v = x[i]!;
      if (typeof v !== 'number' || Number.isNaN(v)) return false;
      if (isInt && !Number.isInteger(v)) return false;
      const cast = this.dtype === 'float32' ? Math.fround(v) : v;
      if (cast < this.low[i]! || cast > this.high[i]!) return false;
    }
    return true;
  }

  /** A zero-filled array of this space's dtype and size. */
  allocate(): BoxValue {
    return this.dtype === 'float32' ? new Float32Array(this.size) : this.dtype === 'float64' ? new Float64Array(this.size) : new Int32Array(this.size);
  }

  toString(): string {
    const lo = allEqual(this.low) ? formatNumber(this.low[0]!) : `[${Array.from(this.low, formatNumber).join(' ')}]`;
    const hi = allEqual(this.high) ? formatNumber(this.high[0]!) : `[${Array.from(this.high, formatNumber).join(' ')}]`;
    return `Box(${lo}, ${hi}, (${this.shape.join(', ')}${this.shape.length === 1 ? ',' : ''}), ${this.dtype})`;
  }

  toJSON(): SpaceDescription {
    return { kind: 'box', low: Array.from(this.low), high: Array.from(this.high), shape: [...this.shape], dtype: this.dtype };
  }
}

export class Discrete implements Space<number> {
  readonly kind = 'discrete' as const;
  readonly shape: readonly number[] = [];
  private rng: Rng = Rng.fromEntropy();

  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Discrete needs a positive integer n, got ${n}`);
    if (!Number.isInteger(start)) throw new RangeError(`Discrete start must be an integer, got ${start}`);
  }

  seed(seed: number): void {
    this.rng = new Rng(seed);
  }

  /** Uniform; with `mask` (0/1 per action) only among allowed actions, `start` if none is allowed. */
  sample(mask?: ArrayLike<number>): number {
    if (mask) {
      if (mask.length !== this.n) throw new RangeError(`mask has length ${mask.length}, expected ${this.n}`);
      let allowed = 0;
      for (let i = 0; i < this.n; i++) if (mask[i]) allowed++;
      if (allowed === 0) return this.start;
      let k = this.rng.int(allowed);
      for (let i = 0; i < this.n; i++) if (mask[i] && k-- === 0) return this.start + i;
    }
    return this.start + this.rng.int(this.n);
  }

  contains(x: unknown): boolean {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }

  toJSON(): SpaceDescription {
    return { kind: 'discrete', n: this.n, start: this.start };
  }
}

export class MultiDiscrete implements Space<Int32Array> {
  readonly kind = 'multi-discrete' as const;
  readonly shape: readonly number[];
  readonly nvec: Int32Array;
  readonly start: Int32Array;
  private rng: Rng = Rng.fromEntropy();

  constructor(nvec: ArrayLike<number>, start?: ArrayLike<number>) {
    this.nvec = Int32Array.from(nvec);
    this.start = start ? Int32Array.from(start) : new Int32Array(this.nvec.length);
    if (this.start.length !== this.nvec.length) throw new RangeError('MultiDiscrete start and nvec differ in length');
    for (const n of this.nvec) if (n < 1) throw new RangeError(`MultiDiscrete needs positive nvec entries, got ${n}`);
    this.shape = [this.nvec.length];
  }

  seed(seed: number): void {
    this.rng = new Rng(seed);
  }

  sample(): Int32Array {
    const out = new Int32Array(this.nvec.length);
    for (let i = 0; i < out.length; i++) out[i] = this.start[i]! + this.rng.int(this.nvec[i]!);
    return out;
  }

  contains(x: unknown): boolean {
    if (!isNumericArray(x) || x.length !== this.nvec.length) return false;
    for (let i = 0; i < this.nvec.length; i++) {
      const v = x[i]!;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < this.start[i]! || v >= this.start[i]! + this.nvec[i]!) return false;
    }
    return true;
  }

  toString(): string {
    return `MultiDiscrete([${Array.from(this.nvec).join(' ')}])`;
  }

  toJSON(): SpaceDescription {
    return { kind: 'multi-discrete', nvec: Array.from(this.nvec), start: Array.from(this.start) };
  }
}

function broadcast(value: number | ArrayLike<number>, size: number, name: string): Float64Array {
  if (typeof value === 'number') return new Float64Array(size).fill(value);
  if (value.length !== size) throw new RangeError(`Box ${name} has ${value.length} entries, shape needs ${size}`);
  return Float64Array.from(value);
}

function allEqual(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return false;
  return true;
}

function isNumericArray(x: unknown): x is ArrayLike<unknown> {
  return ArrayBuffer.isView(x) ? !(x instanceof DataView) : Array.isArray(x);
}
