import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RandomLabelStream } from '../../../envs/streams/random-labels.ts';
import { loadMnist } from '../../../envs/streams/mnist-reader.ts';

function key(input: Float32Array): string {
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('base64');
}

describe('RandomLabelStream', () => {
  it('defaults to 1,200 images and 400 epochs per task (480,000 examples)', () => {
    const stream = new RandomLabelStream({ seed: 1 });
    assert.equal(stream.examplesPerTask, 480_000);
    assert.equal(stream.imageIndices.length, 1200);
    assert.equal(new Set(stream.imageIndices).size, 1200);
  });

  it('shows each subset image once per epoch, scaled by 1/255, with its task label', () => {
    const mnist = loadMnist('train');
    const stream = new RandomLabelStream({ seed: 2, numImages: 30, epochsPerTask: 3 });
    const labelOf = new Map<string, number>();
    const expected = new Map<string, number>();
    const labels = stream.currentLabels();
    stream.imageIndices.forEach((image, k) => {
      const input = Float32Array.from(mnist.pixels.subarray(image * 784, image * 784 + 784), (v) => v / 255);
      expected.set(key(input), labels[k]);
    });
    for (let epoch = 0; epoch < 3; epoch++) {
      const batch = stream.nextBatch(30);
      const seen = new Set<string>();
      for (let row = 0; row < 30; row++) {
        const k = key(batch.inputs.subarray(row * 784, row * 784 + 784));
        assert.ok(expected.has(k), 'input is a subset image');
        assert.equal(batch.labels![row], expected.get(k));
        assert.equal(batch.targets[row * 10 + batch.labels![row]], 1);
        seen.add(k);
        labelOf.set(k, batch.labels![row]);
      }
      assert.equal(seen.size, 30);
    }
  });

  it('keeps the images but redraws the labels at every task switch', () => {
    const stream = new RandomLabelStream({ seed: 3, numImages: 500, epochsPerTask: 1 });
    const first = stream.currentLabels();
    const batch = stream.nextBatch(1000);
    assert.deepEqual(batch.shifts.map((s) => s.index), [500]);
    const second = stream.currentLabels();
    let same = 0;
    for (let k = 0; k < 500; k++) if (first[k] === second[k]) same++;
    assert.ok(Math.abs(same / 500 - 0.1) < 0.05, `labels kept ${same}/500`);
    const counts = new Array(10).fill(0);
    for (const label of second) counts[label]++;
    assert.ok(counts.every((c) => c > 20), `label counts ${counts}`);
    const keys = (from: number) => new Set(Array.from({ length: 500 }, (_, r) => key(batch.inputs.subarray((from + r) * 784, (from + r + 1) * 784))));
    assert.deepEqual(keys(0), keys(500));
  });

  it('resumes mid-epoch from a JSON round-tripped streamState exactly as if uninterrupted', () => {
    const options = { seed: 4, numImages: 40, epochsPerTask: 2 };
    for (const cut of [0, 17, 40, 80, 95]) {
      const original = new RandomLabelStream(options);
      if (cut > 0) original.nextBatch(cut);
      const state = JSON.parse(JSON.stringify(original.streamState()));
      const expected = original.nextBatch(150);
      const resumed = new RandomLabelStream(options);
      resumed.nextBatch(7);
      resumed.restoreStreamState(state);
      assert.deepEqual(resumed.nextBatch(150), expected, `cut at ${cut}`);
    }
  });
});
