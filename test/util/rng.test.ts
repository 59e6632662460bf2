import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.ts';

describe('Rng', () => {
  it('gives the same stream for the same seed and different streams for nearby seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.random());
    assert.deepEqual(xs, Array.from({ length: 100 }, () => b.random()));
    assert.notDeepEqual(xs, Array.from({ length: 100 }, () => c.random()));
  });

  it('draws uniforms in [0, 1) with mean near 1/2 and integers without bias', () => {
    const rng = new Rng(1);
    let sum = 0;
    const counts = new Array(7).fill(0);
    const n = 70_000;
    for (let i = 0; i < n; i++) {
      const u = rng.random();
      assert.ok(u >= 0 && u < 1);
      sum += u;
      counts[rng.int(7)]++;
    }
    assert.ok(Math.abs(sum / n - 0.5) < 0.01);
    for (const c of counts) assert.ok(Math.abs(c / n - 1 / 7) < 0.01, `count ${c}`);
  });

  it('draws standard normals with mean 0 and variance 1', () => {
    const rng = new Rng(7);
    let s = 0;
    let s2 = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s += z;
      s2 += z * z;
    }
    assert.ok(Math.abs(s / n) < 0.02);
    assert.ok(Math.abs(s2 / n - 1) < 0.03);
  });

  it('continues identically after state() and restore(), including a cached normal', () => {
    const rng = new Rng(3);
    rng.normal(); // leaves a spare deviate cached
    const copy = Rng.fromState(structuredClone(rng.state()));
    for (let i = 0; i < 50; i++) assert.equal(copy.normal(), rng.normal());
    for (let i = 0; i < 50; i++) assert.equal(copy.nextUint32(), rng.nextUint32());
  });

  it('makes permutations of 0..n-1 and forks independent streams deterministically', () => {
    const perm = new Rng(5).permutation(100);
    assert.deepEqual([...perm].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
    const f1 = new Rng(9).fork();
    const f2 = new Rng(9).fork();
    assert.equal(f1.random(), f2.random());
  });

  it('rejects non-finite seeds', () => {
    assert.throws(() => new Rng(Number.NaN), /finite/);
  });
});
