import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist, parseIdxImages, parseIdxLabels, PIXEL_SCALE } from '../../../envs/streams/mnist-reader.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

// Known MNIST facts: label counts of the training set and its mean pixel (0.1307 × 255 ≈ 33.32).
const TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

function idxHeader(magic: number, dims: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function code(error: unknown): string {
  assert.ok(error instanceof PlasticdError, `expected a PlasticdError, got ${String(error)}`);
  return error.code;
}

describe('loadMnist', () => {
  it('reads the 60,000 training images of 28×28 in under two seconds, with 5 as the first label', () => {
    const start = performance.now();
    const train = loadMnist('train');
    const elapsed = performance.now() - start;
    assert.equal(train.count, 60_000);
    assert.equal(train.rows, 28);
    assert.equal(train.cols, 28);
    assert.equal(train.pixels.length, 60_000 * 784);
    assert.equal(train.labels.length, 60_000);
    assert.deepEqual(Array.from(train.labels.subarray(0, 8)), [5, 0, 4, 1, 9, 2, 1, 3]);
    assert.ok(elapsed < 2000, `loading took ${elapsed.toFixed(0)} ms`);
  });

  it('has the known label counts and a mean pixel of about 33.3 out of 255', () => {
    const train = loadMnist('train');
    const counts = new Array(10).fill(0);
    for (const label of train.labels) counts[label]++;
    assert.deepEqual(counts, TRAIN_LABEL_COUNTS);
    let sum = 0;
    for (let i = 0; i < train.pixels.length; i++) sum += train.pixels[i];
    const mean = sum / train.pixels.length;
    assert.ok(Math.abs(mean - 33.32) < 0.05, `mean pixel ${mean}`);
  });

  it('reads the 10,000 test images, the first labelled 7', () => {
    const test = loadMnist('test');
    assert.equal(test.count, 10_000);
    assert.equal(test.labels[0], 7);
  });

  it('returns the cached split on the second call', () => {
    assert.equal(loadMnist('train'), loadMnist('train'));
  });

  it('says the files are missing when the folder holds none', () => {
    const empty = mkdtempSync(join(tmpdir(), 'plasticd-mnist-'));
    assert.throws(() => loadMnist('train', empty), (e) => code(e) === 'mnist_missing' && /train-images-idx3-ubyte/.test((e as Error).message));
  });

  it('rejects a training file with the wrong number of images', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plasticd-mnist-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), concat(idxHeader(0x803, [2, 28, 28]), new Uint8Array(2 * 784)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), concat(idxHeader(0x801, [2]), new Uint8Array([3, 4])));
    assert.throws(() => loadMnist('train', dir), (e) => code(e) === 'mnist_corrupt' && /60000 images/.test((e as Error).message));
  });
});

describe('parseIdxImages / parseIdxLabels', () => {
  it('parses big-endian headers and returns the pixel bytes', () => {
    const pixels = Uint8Array.from({ length: 2 * 3 * 2 }, (_, i) => i * 10);
    const parsed = parseIdxImages(concat(idxHeader(0x803, [2, 3, 2]), pixels));
    assert.deepEqual({ count: parsed.count, rows: parsed.rows, cols: parsed.cols }, { count: 2, rows: 3, cols: 2 });
    assert.deepEqual(Array.from(parsed.pixels), Array.from(pixels));
    assert.deepEqual(Array.from(parseIdxLabels(concat(idxHeader(0x801, [3]), new Uint8Array([9, 0, 5])))), [9, 0, 5]);
  });

  it('rejects a wrong magic number, a truncated file and a label above 9', () => {
    assert.throws(() => parseIdxImages(concat(idxHeader(0x801, [1, 1, 1]), new Uint8Array(1))), (e) => code(e) === 'mnist_corrupt' && /magic/.test((e as Error).message));
    assert.throws(() => parseIdxImages(concat(idxHeader(0x803, [2, 2, 2]), new Uint8Array(7))), (e) => code(e) === 'mnist_corrupt');
    assert.throws(() => parseIdxImages(new Uint8Array(5)), (e) => code(e) === 'mnist_corrupt');
    assert.throws(() => parseIdxLabels(concat(idxHeader(0x801, [2]), new Uint8Array([3, 10]))), (e) => code(e) === 'mnist_corrupt' && /label 10/.test((e as Error).message));
  });
});

describe('PIXEL_SCALE', () => {
  it('maps bytes to float32 value/255 like ToTensor', () => {
    assert.equal(PIXEL_SCALE[0], 0);
    assert.equal(PIXEL_SCALE[255], 1);
    assert.equal(PIXEL_SCALE[51], Math.fround(0.2));
  });
});
