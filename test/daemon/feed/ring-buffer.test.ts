import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from '../../../src/daemon/feed/ring-buffer.ts';

const entry = (seq: number) => ({ seq });

describe('RingBuffer', () => {
  it('keeps the newest `capacity` entries and returns each evicted one', () => {
    const ring = new RingBuffer<{ seq: number }>(3);
    const evicted: number[] = [];
    for (let seq = 1; seq <= 7; seq++) {
      const out = ring.push(entry(seq));
      if (out) evicted.push(out.seq);
    }
    assert.deepEqual(evicted, [1, 2, 3, 4]);
    assert.equal(ring.length, 3);
    assert.deepEqual([ring.oldest()?.seq, ring.newest()?.seq], [5, 7]);
    assert.deepEqual(ring.after(0).map((e) => e.seq), [5, 6, 7]);
  });

  it('finds the first entry after a seq by binary search, across the wrap-around and seq holes', () => {
    const ring = new RingBuffer<{ seq: number }>(5);
    for (const seq of [2, 4, 6, 8, 10, 12, 14]) ring.push(entry(seq)); // holds 6..14
    assert.equal(ring.indexAfter(0), 0);
    assert.equal(ring.indexAfter(6), 1);
    assert.equal(ring.indexAfter(7), 1);
    assert.equal(ring.indexAfter(13), 4);
    assert.equal(ring.indexAfter(14), 5);
    assert.deepEqual(ring.after(9).map((e) => e.seq), [10, 12, 14]);
  });

  it('shifts the oldest entry and empties on clear', () => {
    const ring = new RingBuffer<{ seq: number }>(2);
    ring.push(entry(1));
    ring.push(entry(2));
    assert.equal(ring.shift()?.seq, 1);
    assert.equal(ring.length, 1);
    ring.clear();
    assert.equal(ring.length, 0);
    assert.equal(ring.shift(), undefined);
    assert.equal(ring.oldest(), undefined);
  });

  it('rejects entries out of seq order and a bad capacity', () => {
    const ring = new RingBuffer<{ seq: number }>(4);
    ring.push(entry(5));
    assert.throws(() => ring.push(entry(5)), /increasing seq/);
    assert.throws(() => new RingBuffer(0), /positive integer/);
    assert.throws(() => ring.at(3), /out of range/);
  });
});
