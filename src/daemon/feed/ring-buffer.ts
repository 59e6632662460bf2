/**
 * Fixed-capacity ring of feed entries ordered by strictly increasing `seq`. Pushing onto a full ring
 * evicts the oldest entry; `indexAfter(seq)` finds the first entry newer than a seq by binary search,
 * which is what a `since` replay and a catching-up client's cursor need.
 */
import { PlasticdError } from '../../util/errors.ts';

export interface Sequenced {
  readonly seq: number;
}

export class RingBuffer<T extends Sequenced> {
  private readonly items: Array<T | undefined>;
  private head = 0; // index of the oldest entry
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new PlasticdError('feed-config', `ring capacity must be a positive integer, got ${capacity}`);
    }
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends `item` (its seq must exceed the newest one's); returns the evicted oldest entry, if any. */
  push(item: T): T | undefined {
    if (this.count > 0 && item.seq <= this.at(this.count - 1).seq) {
      throw new PlasticdError('feed-seq-order', `ring entries must have increasing seq, got ${item.seq} after ${this.at(this.count - 1).seq}`);
    }
    let evicted: T | undefined;
    if (this.count === this.capacity) evicted = this.shift();
    this.items[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return evicted;
  }

  /** Removes and returns the oldest entry. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined; // let the entry be collected
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }

  /** The entry at logical position `index` (0 = oldest). */
  at(index: number): T {
    if (index < 0 || index >= this.count) {
      throw new PlasticdError('feed-ring-index', `ring index ${index} out of range 0..${this.count - 1}`);
    }
    return this.items[(this.head + index) % this.capacity] as T;
  }

  oldest(): T | undefined {
    return this.count === 0 ? undefined : this.at(0);
  }

  newest(): T | undefined {
    return this.count === 0 ? undefined : this.at(this.count - 1);
  }

  /** Logical index of the first entry with seq > `seq` (== length when there is none). */
  indexAfter(seq: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.at(mid).seq <= seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Entries with seq > `seq`, oldest first (a copy; for tests and small reads). */
  after(seq: number): T[] {
    const out: T[] = [];
    for (let i = this.indexAfter(seq); i < this.count; i++) out.push(this.at(i));
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
