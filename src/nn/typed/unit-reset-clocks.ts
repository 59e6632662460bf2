/**
 * Adam's per-element bias correction after unit resets, read per row and per column instead of per
 * element. Unit surgery (surgery.ts) resets whole rows and columns of the typed engine's kernels: a
 * hidden unit's incoming column, its bias and LayerNorm entries, and its outgoing row in the next
 * kernel. So an entry's last reset is the later of its row unit's and its column unit's, t = min(t_row,
 * t_col), and since the correction c[t] = 1/(1 − β^t) falls with t, c[t] = max(c[t_row], c[t_col]):
 * the same table value as the per-element lookup, from two contiguous per-unit arrays instead of two
 * gathers per entry (those cost +27% of a 64-256-256-4 Adam step once most entries had been reset).
 * Valid only while every reset came through `resetUnits`; any other reset turns it off (the
 * optimizer falls back to its per-element step counts, which it always keeps) until a restore finds
 * those counts consistent with per-unit clocks again (`rebuild`).
 */
import type { ParameterLayout } from '../parameter-layout.ts';

/** A row-major [rows × cols] run of the flat parameter vector; −1 marks rows/columns that are never reset (inputs, outputs). */
export interface ResetBlock {
  offset: number;
  rows: number;
  cols: number;
  /** Hidden layer whose units the rows are, or −1. */
  rowLayer: number;
  /** Hidden layer whose units the columns are, or −1. */
  colLayer: number;
}

/**
 * The blocks in flat order: per layer the kernel [fanIn × fanOut] (rows: the previous hidden layer's
 * units or the inputs; columns: this layer's units, or the outputs), then bias, LayerNorm gain and
 * shift (one row each, over this layer's units). Null when they do not tile the vector exactly.
 */
export function resetBlocks(layout: ParameterLayout): ResetBlock[] | null {
  const hidden = layout.layers.length - 1;
  const blocks: ResetBlock[] = [];
  layout.layers.forEach((layer, l) => {
    const colLayer = l < hidden ? l : -1;
    blocks.push({ offset: layer.weight.offset, rows: layer.fanIn, cols: layer.fanOut, rowLayer: l - 1, colLayer });
    for (const slot of [layer.bias, layer.layerNormGain, layer.layerNormBias]) {
      if (slot) blocks.push({ offset: slot.offset, rows: 1, cols: layer.fanOut, rowLayer: -1, colLayer });
    }
  });
  let end = 0;
  for (const block of blocks) {
    if (block.offset !== end) return null;
    end += block.rows * block.cols;
  }
  return end === layout.size ? blocks : null;
}

/** A block with the arrays its rows' and columns' corrections are read from (filled by `prepare`). */
export interface BlockCorrections {
  block: ResetBlock;
  rowC1: Float64Array;
  rowC2: Float64Array;
  colC1: Float64Array;
  colC2: Float64Array;
}

/** The per-unit reset clocks of a network's hidden layers and, each step, the corrections they give. */
export class UnitResetClocks {
  /** Optimizer step of each hidden unit's last reset (0: never). */
  readonly clocks: Int32Array[];
  /** This step's c1[t], c2[t] per hidden unit. */
  private readonly unitC1: Float64Array[];
  private readonly unitC2: Float64Array[];
  /** The never-reset value (t = step count), as long as the widest block side. */
  private readonly uniformC1: Float64Array;
  private readonly uniformC2: Float64Array;
  /** Per block, in order. */
  private readonly corrections: BlockCorrections[];
  /** Block found by the last lookup (the callers walk the vector in order). */
  private cursor = 0;

  constructor(readonly blocks: readonly ResetBlock[]) {
    const units: number[] = [];
    for (const block of blocks) if (block.colLayer >= 0) units[block.colLayer] = block.cols;
    this.clocks = units.map((n) => new Int32Array(n));
    this.unitC1 = units.map((n) => new Float64Array(n));
    this.unitC2 = units.map((n) => new Float64Array(n));
    const widest = Math.max(...blocks.map((b) => Math.max(b.rows, b.cols)));
    this.uniformC1 = new Float64Array(widest);
    this.uniformC2 = new Float64Array(widest);
    this.corrections = blocks.map((block) => ({
      block,
      rowC1: block.rowLayer >= 0 ? this.unitC1[block.rowLayer] : this.uniformC1,
      rowC2: block.rowLayer >= 0 ? this.unitC2[block.rowLayer] : this.uniformC2,
      colC1: block.colLayer >= 0 ? this.unitC1[block.colLayer] : this.uniformC1,
      colC2: block.colLayer >= 0 ? this.unitC2[block.colLayer] : this.uniformC2,
    }));
  }

  /** Marks `units` of hidden layer `layer` reset at step `count`. */
  reset(layer: number, units: ArrayLike<number>, count: number): void {
    for (let k = 0; k < units.length; k++) this.clocks[layer][units[k]] = count;
  }

  copyFrom(source: UnitResetClocks): void {
    this.clocks.forEach((clock, l) => clock.set(source.clocks[l]));
  }

  /**
   * Reads the clocks back from per-element reset steps (a restored optimizer): each unit's from its
   * bias entry. False when some entry's step is not the later of its row's and its column's clocks.
   */
  rebuild(resetAt: Int32Array): boolean {
    for (const block of this.blocks) {
      if (block.rows === 1 && block.colLayer >= 0) {
        const clock = this.clocks[block.colLayer];
        for (let c = 0; c < block.cols; c++) clock[c] = resetAt[block.offset + c];
      }
    }
    for (const block of this.blocks) {
      const rowClock = block.rowLayer >= 0 ? this.clocks[block.rowLayer] : null;
      const colClock = block.colLayer >= 0 ? this.clocks[block.colLayer] : null;
      for (let r = 0; r < block.rows; r++) {
        const row = rowClock === null ? 0 : rowClock[r];
        for (let c = 0; c < block.cols; c++) {
          const col = colClock === null ? 0 : colClock[c];
          if (resetAt[block.offset + r * block.cols + c] !== Math.max(row, col)) return false;
        }
      }
    }
    return true;
  }

  /** This step's corrections, from the tables c1[t], c2[t] capped at their last entry. */
  prepare(count: number, c1: Float64Array, c2: Float64Array): void {
    const last = c1.length - 1;
    for (let l = 0; l < this.clocks.length; l++) {
      const clock = this.clocks[l];
      const u1 = this.unitC1[l];
      const u2 = this.unitC2[l];
      for (let i = 0; i < clock.length; i++) {
        const t = count - clock[i];
        const index = t < last ? t : last;
        u1[i] = c1[index];
        u2[i] = c2[index];
      }
    }
    const index = count < last ? count : last;
    this.uniformC1.fill(c1[index]);
    this.uniformC2.fill(c2[index]);
  }

  /** The block holding flat index `k`, with its correction arrays. */
  at(k: number): BlockCorrections {
    const blocks = this.blocks;
    let b = this.cursor;
    if (k < blocks[b].offset) b = 0;
    while (k >= blocks[b].offset + blocks[b].rows * blocks[b].cols) b++;
    this.cursor = b;
    return this.corrections[b];
  }
}
