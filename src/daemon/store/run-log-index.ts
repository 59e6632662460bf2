/**
 * The run log's in-memory index, kept small for logs that grow for weeks: a sparse index of every
 * `sparseEvery`-th line (seq → byte offset) to seek anywhere, and a full index (seq, offset,
 * length) only of the kinds the history routes read (default window, reset, shift), in growable
 * typed arrays — about 20 bytes per indexed line, 16 bytes per `sparseEvery` other lines.
 */

/** Parallel growable columns of (seq, offset[, length]). */
class OffsetColumns {
  seqs = new Float64Array(256);
  offsets = new Float64Array(256);
  lengths = new Uint32Array(256);
  size = 0;

  push(seq: number, offset: number, length: number): void {
    if (this.size === this.seqs.length) {
      this.seqs = grow(this.seqs);
      this.offsets = grow(this.offsets);
      this.lengths = grow(this.lengths);
    }
    this.seqs[this.size] = seq;
    this.offsets[this.size] = offset;
    this.lengths[this.size] = length;
    this.size += 1;
  }

  /** Index of the first row with seq > `seq`. */
  firstAfter(seq: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid] <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  truncateAfter(seq: number): void {
    this.size = this.firstAfter(seq);
  }
}

function grow<T extends Float64Array | Uint32Array>(array: T): T {
  const bigger = new (array.constructor as new (n: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

export interface LineLocation {
  seq: number;
  offset: number;
  length: number;
}

export class RunLogIndex {
  private readonly sparse = new OffsetColumns();
  private readonly byKind = new Map<string, OffsetColumns>();
  private lines = 0;

  constructor(
    readonly indexedKinds: ReadonlySet<string>,
    private readonly sparseEvery: number,
  ) {
    for (const kind of indexedKinds) this.byKind.set(kind, new OffsetColumns());
  }

  add(seq: number, kind: string, offset: number, length: number): void {
    if (this.lines % this.sparseEvery === 0) this.sparse.push(seq, offset, length);
    this.lines += 1;
    this.byKind.get(kind)?.push(seq, offset, length);
  }

  /**
   * Where a forward scan finds every line with seq > `seq`: the byte offset and line number of
   * the last sparse line at or before `seq` (0, 0 when none).
   */
  seekAfter(seq: number): { offset: number; line: number } {
    const row = this.sparse.firstAfter(seq) - 1;
    return row < 0 ? { offset: 0, line: 0 } : { offset: this.sparse.offsets[row], line: row * this.sparseEvery };
  }

  /** Forgets lines with seq > `seq`; `remainingLines` is the number of lines left in the file. */
  truncateAfter(seq: number, remainingLines: number): void {
    this.sparse.truncateAfter(seq);
    for (const columns of this.byKind.values()) columns.truncateAfter(seq);
    this.lines = remainingLines;
  }

  get lineCount(): number {
    return this.lines;
  }

  /** True when every kind asked for has a full index. */
  covers(kinds: readonly string[]): boolean {
    return kinds.length > 0 && kinds.every((kind) => this.indexedKinds.has(kind));
  }

  /**
   * Locations of lines of `kinds` (all indexed) with seq > `since`, ascending: the first `limit`
   * of them, or with `fromEnd` the last `limit`.
   */
  locate(kinds: readonly string[], since: number, limit: number, fromEnd: boolean): LineLocation[] {
    const found: LineLocation[] = [];
    for (const kind of new Set(kinds)) {
      const columns = this.byKind.get(kind)!;
      const start = fromEnd ? Math.max(columns.firstAfter(since), columns.size - limit) : columns.firstAfter(since);
      const end = fromEnd ? columns.size : Math.min(columns.size, start + limit);
      for (let row = start; row < end; row++) {
        found.push({ seq: columns.seqs[row], offset: columns.offsets[row], length: columns.lengths[row] });
      }
    }
    found.sort((a, b) => a.seq - b.seq);
    return fromEnd ? found.slice(Math.max(0, found.length - limit)) : found.slice(0, limit);
  }
}
