import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecentExamples } from '../../src/run/recent-examples.ts';

describe('RecentExamples', () => {
  it('keeps the latest rows oldest first and scores them with mean squared error', () => {
    const recent = new RecentExamples(2, 1, 3, false);
    assert.equal(recent.heldOut(), null);
    // Rows k = 0..4: input [k, -k], target k; only rows 2, 3, 4 survive.
    for (let k = 0; k < 5; k++) recent.push(new Float32Array([k, -k]), new Float32Array([k]), undefined, 1);
    const held = recent.heldOut()!;
    assert.equal(held.batchSize, 3);
    assert.deepStrictEqual(Array.from(held.input), [2, -2, 3, -3, 4, -4]);
    // Output 0 everywhere: MSE = (4 + 9 + 16) / 3.
    const loss = held.loss(new Float32Array(3), 3, new Float32Array(3));
    assert.ok(Math.abs(loss - 29 / 3) < 1e-6);
  });

  it('keeps only the last capacity rows of a large batch, with labels for classification', () => {
    const recent = new RecentExamples(1, 2, 2, true);
    recent.push(new Float32Array([1, 2, 3]), new Float32Array([1, 0, 0, 1, 1, 0]), new Int32Array([0, 1, 0]), 3);
    const held = recent.heldOut()!;
    assert.deepStrictEqual(Array.from(held.input), [2, 3]);
    // Logits favouring class 1 on both rows: labels [1, 0] → one right, one wrong.
    const logits = new Float32Array([0, 10, 0, 10]);
    const loss = held.loss(logits, 2, new Float32Array(4));
    assert.ok(Math.abs(loss - (Math.log1p(Math.exp(-10)) + (10 + Math.log1p(Math.exp(-10)))) / 2) < 1e-4);
  });

  it('restores a saved ring exactly', () => {
    const a = new RecentExamples(1, 1, 4, false);
    for (let k = 0; k < 6; k++) a.push(new Float32Array([k]), new Float32Array([k]), undefined, 1);
    const b = new RecentExamples(1, 1, 4, false);
    b.restore(a.state());
    assert.deepStrictEqual(Array.from(b.heldOut()!.input), [2, 3, 4, 5]);
    assert.throws(() => new RecentExamples(2, 1, 4, false).restore(a.state()), /another shape/);
  });
});
