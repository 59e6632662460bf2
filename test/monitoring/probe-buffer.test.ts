import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeBuffer } from '../../monitoring/probe-buffer.ts';

const rows = (...values: number[][]) => Float32Array.from(values.flat());

describe('ProbeBuffer', () => {
  it('keeps the most recent rows, oldest first, across wrap-around and oversized batches', () => {
    const probe = new ProbeBuffer(2, 3);
    probe.push(rows([1, 1], [2, 2]), 2);
    assert.deepEqual(Array.from(probe.rows()), [1, 1, 2, 2]);
    probe.push(rows([3, 3], [4, 4]), 2);
    assert.deepEqual(Array.from(probe.rows()), [2, 2, 3, 3, 4, 4]);
    probe.push([5, 5], 1);
    assert.deepEqual(Array.from(probe.rows()), [3, 3, 4, 4, 5, 5]);
    probe.push(rows([6, 6], [7, 7], [8, 8], [9, 9]), 4);
    assert.deepEqual(Array.from(probe.rows()), [7, 7, 8, 8, 9, 9]);
    assert.deepEqual(Array.from(probe.latest(2)), [8, 8, 9, 9]);
    assert.equal(probe.size, 3);
    assert.equal(probe.total, 9);
  });

  it('restores its rows and continues as the original would', () => {
    const a = new ProbeBuffer(1, 4);
    a.push([1, 2, 3, 4, 5, 6], 6);
    const b = new ProbeBuffer(1, 4);
    b.restore(structuredClone(a.state()));
    a.push([7, 8], 2);
    b.push([7, 8], 2);
    assert.deepEqual(Array.from(b.rows()), Array.from(a.rows()));
    assert.deepEqual(Array.from(a.rows()), [5, 6, 7, 8]);
    assert.throws(() => new ProbeBuffer(2, 4).restore(a.state()), /probeSize or the network's input size changed/);
    assert.throws(() => a.push([1, 2, 3], 2), /2 rows of 1 values/);
  });
});
