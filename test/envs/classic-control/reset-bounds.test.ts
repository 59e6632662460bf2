import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maybeParseResetBounds, verifyNumberAndCast } from '../../../envs/classic-control/reset-bounds.ts';

describe('maybeParseResetBounds', () => {
  it('returns the defaults without options and fills in whichever bound is missing', () => {
    assert.deepEqual(maybeParseResetBounds(undefined, -0.05, 0.05), [-0.05, 0.05]);
    assert.deepEqual(maybeParseResetBounds({}, -0.05, 0.05), [-0.05, 0.05]);
    assert.deepEqual(maybeParseResetBounds({ low: -1 }, -0.05, 0.05), [-1, 0.05]);
    assert.deepEqual(maybeParseResetBounds({ high: 2, low: undefined }, -0.05, 0.05), [-0.05, 2]);
  });

  it('rejects low > high, naming both', () => {
    assert.throws(() => maybeParseResetBounds({ low: 1, high: 0 }, 0, 0), /Lower bound \(1\) must be lower than higher bound \(0\)/);
  });
});

describe('verifyNumberAndCast', () => {
  it("converts what Python's float() converts", () => {
    assert.equal(verifyNumberAndCast(0.25), 0.25);
    assert.equal(verifyNumberAndCast(' -1.5e-2 '), -0.015);
    assert.equal(verifyNumberAndCast(true), 1);
    assert.equal(verifyNumberAndCast('-inf'), -Infinity);
  });

  it('rejects what float() rejects', () => {
    for (const bad of ['abc', '', '0x10', null, [1], {}]) {
      assert.throws(() => verifyNumberAndCast(bad), /could not be converted to a float/, String(bad));
    }
  });
});
