import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PermutedMnistStream } from '../../../envs/streams/permuted-mnist.ts';
import { loadMnist } from '../../../envs/streams/mnist-reader.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

const TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

function isPermutation(values: Int32Array, n: number): boolean {
  if (values.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const v of values) {
    if (v < 0 || v >= n || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

describe('PermutedMnistStream', () => {
  it('shows image order[k] with its pixels permuted and scaled by 1/255, and a one-hot of its label', () => {
    const mnist = loadMnist('train');
    const stream = new PermutedMnistStream({ seed: 1 });
    assert.equal(stream.inputSize, 784);
    assert.equal(stream.targetSize, 10);
    assert.equal(stream.numClasses, 10);
    assert.equal(stream.examplesPerTask, 60_000);
    const permutation = stream.currentPermutation();
    const order = stream.currentOrder();
    for (let k = 0; k < 20; k++) {
      const example = stream.next();
      const image = order[k];
      for (let p = 0; p < 784; p++) assert.equal(example.input[p], Math.fround(mnist.pixels[image * 784 + permutation[p]] / 255));
      assert.equal(example.label, mnist.labels[image]);
      assert.deepEqual(Array.from(example.target), Array.from({ length: 10 }, (_, c) => (c === example.label ? 1 : 0)));
    }
  });

  it('draws a true pixel permutation per task, different for every task', () => {
    const stream = new PermutedMnistStream({ seed: 2, examplesPerTask: 10 });
    const seen = new Set<string>();
    for (let task = 0; task < 6; task++) {
      stream.nextBatch(10);
      assert.equal(stream.task, task);
      const permutation = stream.currentPermutation();
      assert.ok(isPermutation(permutation, 784));
      assert.ok(isPermutation(stream.currentOrder(), 60_000));
      seen.add(permutation.join(','));
    }
    assert.equal(seen.size, 6);
  });

  it('shows every training image exactly once in a default task of 60,000 examples', () => {
    const stream = new PermutedMnistStream({ seed: 3 });
    const batch = stream.nextBatch(60_000);
    const counts = new Array(10).fill(0);
    for (const label of batch.labels!) counts[label]++;
    assert.deepEqual(counts, TRAIN_LABEL_COUNTS);
    assert.equal(batch.shifts.length, 0);
    assert.equal(stream.next().shift?.params.task, 1);
  });

  it('switches task exactly every examplesPerTask examples, reporting a new permutation', () => {
    const stream = new PermutedMnistStream({ seed: 4, examplesPerTask: 100 });
    const batch = stream.nextBatch(350);
    assert.deepEqual(batch.shifts.map((s) => s.index), [100, 200, 300]);
    assert.deepEqual(batch.shifts.map((s) => s.shift.params.task), [1, 2, 3]);
    const hashes = new Set(batch.shifts.map((s) => s.shift.params.permutationHash));
    assert.equal(hashes.size, 3);
    for (let e = 0; e < 350; e++) assert.equal(batch.tasks[e], Math.floor(e / 100));
  });

  it('draws a fixed subset when numImages is small and wraps around its order within a long task', () => {
    const stream = new PermutedMnistStream({ seed: 5, numImages: 50, examplesPerTask: 120 });
    const order = Array.from(stream.currentOrder());
    assert.equal(new Set(order).size, 50);
    const batch = stream.nextBatch(120);
    assert.deepEqual(Array.from(batch.inputs.subarray(0, 784)), Array.from(batch.inputs.subarray(50 * 784, 51 * 784)));
    assert.deepEqual(Array.from(batch.labels!.subarray(0, 20)), Array.from(batch.labels!.subarray(100, 120)));
    stream.next();
    assert.deepEqual(new Set(stream.currentOrder()), new Set(order));
  });

  it('repeats itself under the same seed and differs under another', () => {
    const a = new PermutedMnistStream({ seed: 6, examplesPerTask: 40 }).nextBatch(100);
    const b = new PermutedMnistStream({ seed: 6, examplesPerTask: 40 }).nextBatch(100);
    const c = new PermutedMnistStream({ seed: 7, examplesPerTask: 40 }).nextBatch(100);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.inputs, c.inputs);
  });

  it('resumes mid-task from a JSON round-tripped streamState exactly as if uninterrupted', () => {
    const options = { seed: 8, examplesPerTask: 100 };
    const original = new PermutedMnistStream(options);
    original.nextBatch(150);
    const state = JSON.parse(JSON.stringify(original.streamState()));
    assert.ok(JSON.stringify(state).length < 2000, 'the state stays small');
    const expected = original.nextBatch(200);
    const resumed = new PermutedMnistStream(options);
    resumed.nextBatch(30);
    resumed.restoreStreamState(state);
    assert.deepEqual(resumed.nextBatch(200), expected);
  });

  it('resumes exactly at a task boundary', () => {
    const options = { seed: 9, examplesPerTask: 50 };
    const original = new PermutedMnistStream(options);
    original.nextBatch(100);
    const state = original.streamState();
    const expected = original.nextBatch(60);
    const resumed = new PermutedMnistStream(options);
    resumed.restoreStreamState(state);
    assert.deepEqual(resumed.nextBatch(60), expected);
  });

  it('rejects a state saved with other options and a subset larger than MNIST', () => {
    const state = new PermutedMnistStream({ seed: 1, examplesPerTask: 10 }).streamState();
    assert.throws(() => new PermutedMnistStream({ seed: 1 }).restoreStreamState(state), (e) => e instanceof PlasticdError && e.code === 'stream_state_mismatch');
    assert.throws(() => new PermutedMnistStream({ numImages: 60_001 }), /numImages/);
  });
});
