import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BitFlippingStream } from '../../../envs/streams/bit-flipping.ts';
import { LtuTargetNetwork } from '../../../envs/streams/ltu-target-network.ts';
import { Rng } from '../../../src/util/rng.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

/** The target formula written out from fix_ltu_net.py, independently of the stream's cached tables. */
function referenceTarget(net: LtuTargetNetwork, x: ArrayLike<number>, offset = 0): number {
  const m = net.numInputs;
  let y = net.outputBias;
  for (let i = 0; i < net.numFeatures; i++) {
    let z = net.featureBias[i];
    let weightSum = 0;
    for (let j = 0; j < m; j++) {
      z += net.inputWeights[i * m + j] * x[offset + j];
      weightSum += net.inputWeights[i * m + j];
    }
    const s = (m - weightSum + net.featureBias[i]) / 2;
    const tau = net.beta * (m + 1) - s;
    if (z > tau) y += net.outputWeights[i];
  }
  return y;
}

function take(stream: BitFlippingStream, n: number): { inputs: Float32Array; targets: Float32Array; shifts: number[] } {
  const batch = stream.nextBatch(n);
  return { inputs: batch.inputs, targets: batch.targets, shifts: batch.shifts.map((s) => s.index) };
}

describe('LtuTargetNetwork', () => {
  it('fires a unit when w·x + b exceeds β(m+1) − S with S = (m − Σw + b)/2', () => {
    // m = 2, w = [1, −1], b = 1: S = 1.5, τ = 0.7·3 − 1.5 = 0.6; output y = −h + 1.
    const net = new LtuTargetNetwork(2, 1, 0.7, {
      inputWeights: Float32Array.of(1, -1),
      featureBias: Float32Array.of(1),
      outputWeights: Float32Array.of(-1),
      outputBias: 1,
    });
    assert.ok(Math.abs(net.thresholds[0] - 0.6) < 1e-6);
    assert.equal(net.predict([1, 0]), 0); // z = 2 > 0.6: fires
    assert.equal(net.predict([0, 0]), 0); // z = 1 > 0.6: fires
    assert.equal(net.predict([0, 1]), 1); // z = 0: silent
    assert.equal(net.predict([1, 1]), 0); // z = 1 − 1 + 1 = 1 > 0.6: fires
  });

  it('draws every weight and bias from {−1, +1} with equal odds', () => {
    const net = LtuTargetNetwork.sample(new Rng(5), 20, 100, 0.7);
    const all = [...net.inputWeights, ...net.featureBias, ...net.outputWeights, net.outputBias];
    assert.ok(all.every((w) => w === 1 || w === -1));
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    assert.ok(Math.abs(mean) < 0.06, `mean weight ${mean}`);
  });

  it('activates about 3% of units on uniform random inputs (matches ≥ 14 of 20 when b = +1, ≥ 17 when b = −1)', () => {
    // P(Bin(20, ½) ≥ 14) = 0.0577, P(Bin(20, ½) ≥ 17) = 0.0013: expected fraction ≈ 0.0295.
    const rng = new Rng(11);
    let active = 0;
    let count = 0;
    const pre = new Float64Array(100);
    const x = new Float32Array(20);
    for (let netIndex = 0; netIndex < 20; netIndex++) {
      const net = LtuTargetNetwork.sample(rng, 20, 100, 0.7);
      for (let n = 0; n < 500; n++) {
        for (let j = 0; j < 20; j++) x[j] = rng.int(2);
        net.preActivations(x, 0, pre);
        for (let i = 0; i < 100; i++) if (pre[i] > net.thresholds[i]) active++;
        count += 100;
      }
    }
    const fraction = active / count;
    assert.ok(Math.abs(fraction - 0.0295) < 0.006, `active fraction ${fraction}`);
  });
});

describe('BitFlippingStream', () => {
  it('lays out 15 slow bits then 5 fresh random bits, all 0 or 1, with a 1-wide target', () => {
    const stream = new BitFlippingStream({ seed: 1 });
    assert.equal(stream.inputSize, 20);
    assert.equal(stream.targetSize, 1);
    assert.equal(stream.kind, 'regression');
    const n = 10_000;
    const { inputs } = take(stream, n);
    const slow = Array.from(inputs.subarray(0, 15));
    const fastMeans = new Array(5).fill(0);
    for (let e = 0; e < n; e++) {
      const row = inputs.subarray(e * 20, e * 20 + 20);
      assert.ok(row.every((v) => v === 0 || v === 1));
      assert.deepEqual(Array.from(row.subarray(0, 15)), slow);
      for (let j = 0; j < 5; j++) fastMeans[j] += row[15 + j] / n;
    }
    for (const mean of fastMeans) assert.ok(Math.abs(mean - 0.5) < 0.03, `fast bit mean ${mean}`);
    assert.deepEqual(slow, stream.params.flippingBits);
  });

  it('switches task exactly every flipAfter examples and reports the shift on the first example of the new task', () => {
    const stream = new BitFlippingStream({ seed: 2, flipAfter: 100 });
    const batch = stream.nextBatch(450);
    assert.deepEqual(batch.shifts.map((s) => s.index), [100, 200, 300, 400]);
    assert.deepEqual(batch.shifts.map((s) => s.shift.params.task), [1, 2, 3, 4]);
    assert.ok(batch.shifts.every((s) => s.shift.kind === 'task'));
    for (let e = 0; e < 450; e++) assert.equal(batch.tasks[e], Math.floor(e / 100));
    assert.equal(stream.task, 4);
    const single = new BitFlippingStream({ seed: 2, flipAfter: 3 });
    const shifts = Array.from({ length: 7 }, () => single.next().shift !== undefined);
    assert.deepEqual(shifts, [false, false, false, true, false, false, true]);
  });

  it('flips exactly one slow bit per switch in flip-one mode and names it', () => {
    const stream = new BitFlippingStream({ seed: 3, flipAfter: 10, variant: 'flip-one' });
    assert.equal(stream.nextBatch(10).shifts.length, 0);
    let previous = Array.from(stream.currentFlippingBits());
    const flipped = new Set<number>();
    for (let task = 1; task <= 200; task++) {
      const batch = stream.nextBatch(10);
      assert.equal(batch.shifts.length, 1);
      const bits = Array.from(batch.inputs.subarray(0, 15));
      const changed = bits.flatMap((b, j) => (b !== previous[j] ? [j] : []));
      assert.equal(changed.length, 1, `task ${task} changed ${changed.length} bits`);
      assert.equal(batch.shifts[0].shift.params.flippedBit, changed[0]);
      flipped.add(changed[0]);
      previous = bits;
    }
    assert.equal(flipped.size, 15);
  });

  it('redraws all slow bits in resample mode: about half of them change per switch', () => {
    const stream = new BitFlippingStream({ seed: 4, flipAfter: 10, variant: 'resample' });
    stream.nextBatch(10);
    let previous = Array.from(stream.currentFlippingBits());
    let totalChanged = 0;
    let maxChanged = 0;
    const tasks = 400;
    for (let task = 1; task <= tasks; task++) {
      stream.nextBatch(10);
      const bits = Array.from(stream.currentFlippingBits());
      const changed = bits.filter((b, j) => b !== previous[j]).length;
      totalChanged += changed;
      maxChanged = Math.max(maxChanged, changed);
      previous = bits;
    }
    assert.ok(Math.abs(totalChanged / tasks - 7.5) < 0.5, `mean changed ${totalChanged / tasks}`);
    assert.ok(maxChanged >= 10);
    assert.equal(stream.params.flippedBit, undefined);
  });

  it('gives targets equal to the LTU network formula, with tabulated and with direct evaluation', () => {
    for (const options of [{ seed: 5 }, { seed: 6, numInputs: 40, numFlippingBits: 15, flipAfter: 50 }, { seed: 7, variant: 'resample' as const, flipAfter: 7 }]) {
      const stream = new BitFlippingStream(options);
      const { inputs, targets } = take(stream, 2000);
      const m = stream.inputSize;
      for (let e = 0; e < 2000; e++) {
        assert.equal(targets[e], referenceTarget(stream.targetNetwork, inputs, e * m), `example ${e} of ${JSON.stringify(options)}`);
      }
    }
  });

  it('produces integer targets bounded by the output weights, varying within a task', () => {
    const stream = new BitFlippingStream({ seed: 8 });
    const { targets } = take(stream, 50_000);
    let sum = 0;
    let sumSq = 0;
    for (const y of targets) {
      assert.ok(Number.isInteger(y) && Math.abs(y) <= 101);
      sum += y;
      sumSq += y * y;
    }
    const variance = sumSq / targets.length - (sum / targets.length) ** 2;
    assert.ok(variance > 0.01, `target variance ${variance}`);
  });

  it('repeats itself under the same seed and differs under another', () => {
    const a = take(new BitFlippingStream({ seed: 9, flipAfter: 100 }), 1000);
    const b = take(new BitFlippingStream({ seed: 9, flipAfter: 100 }), 1000);
    const c = take(new BitFlippingStream({ seed: 10, flipAfter: 100 }), 1000);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.inputs, c.inputs);
  });

  it('resumes mid-task from a JSON round-tripped streamState exactly as if uninterrupted', () => {
    for (const variant of ['flip-one', 'resample'] as const) {
      const options = { seed: 12, flipAfter: 100, variant };
      const original = new BitFlippingStream(options);
      original.nextBatch(250);
      const state = JSON.parse(JSON.stringify(original.streamState()));
      const expected = take(original, 500);
      const resumed = new BitFlippingStream(options);
      resumed.restoreStreamState(state);
      assert.equal(resumed.task, 2);
      assert.deepEqual(take(resumed, 500), expected);
    }
  });

  it('fills a preallocated batch with the same examples next() gives, allocating no new batch', () => {
    const a = new BitFlippingStream({ seed: 13, flipAfter: 30 });
    const b = new BitFlippingStream({ seed: 13, flipAfter: 30 });
    const buffer = a.allocateBatch(16);
    for (let round = 0; round < 5; round++) {
      const batch = a.nextBatch(16, buffer);
      assert.equal(batch, buffer);
      for (let row = 0; row < 16; row++) {
        const example = b.next();
        assert.deepEqual(Array.from(batch.inputs.subarray(row * 20, row * 20 + 20)), Array.from(example.input));
        assert.equal(batch.targets[row], example.target[0]);
        assert.equal(batch.tasks[row], example.task);
        assert.equal(batch.shifts.some((s) => s.index === row), example.shift !== undefined);
      }
    }
    assert.throws(() => a.nextBatch(8, buffer), (e) => e instanceof PlasticdError && e.code === 'stream_batch_shape');
  });

  it('rejects impossible options with an actionable error', () => {
    assert.throws(() => new BitFlippingStream({ numFlippingBits: 21 }), /numFlippingBits/);
    assert.throws(() => new BitFlippingStream({ flipAfter: 0 }), /examplesPerTask/);
    assert.throws(() => new BitFlippingStream({ variant: 'sometimes' as never }), /variant/);
    const stream = new BitFlippingStream({ seed: 1 });
    const state = stream.streamState();
    assert.throws(() => new BitFlippingStream({ seed: 2 }).restoreStreamState(state), (e) => e instanceof PlasticdError && e.code === 'stream_state_mismatch');
  });
});
