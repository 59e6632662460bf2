/**
 * The stream registry: `makeStream(id, options)` builds a supervised continual-learning stream by
 * name, with options checked against each stream's documented defaults, and `streamIds()` lists
 * the names. Unknown ids and options fail with a `PlasticdError` naming what is allowed.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { BIT_FLIPPING_DEFAULTS, BitFlippingStream } from './bit-flipping.ts';
import { PERMUTED_MNIST_DEFAULTS, PermutedMnistStream } from './permuted-mnist.ts';
import { RANDOM_LABEL_DEFAULTS, RandomLabelStream } from './random-labels.ts';
import type { Stream } from './stream.ts';

export type { Stream, StreamBatch, StreamExample, StreamKind, StreamShift, StreamState } from './stream.ts';
export { BaseStream } from './stream.ts';
export { BitFlippingStream } from './bit-flipping.ts';
export type { BitFlippingOptions, BitFlippingVariant } from './bit-flipping.ts';
export { LtuTargetNetwork } from './ltu-target-network.ts';
export { PermutedMnistStream } from './permuted-mnist.ts';
export type { PermutedMnistOptions } from './permuted-mnist.ts';
export { RandomLabelStream } from './random-labels.ts';
export type { RandomLabelOptions } from './random-labels.ts';
export { loadMnist, mnistDataDir } from './mnist-reader.ts';

interface StreamEntry {
  description: string;
  defaults: Record<string, unknown>;
  build(id: string, options: Record<string, unknown>): Stream;
}

const REGISTRY: Record<string, StreamEntry> = {
  'bit-flipping': {
    description: 'Slowly-changing regression: one of 15 slow input bits flips every 10,000 examples; target is a fixed random LTU network (Dohare et al. 2024).',
    defaults: { ...BIT_FLIPPING_DEFAULTS },
    build: (id, options) => new BitFlippingStream(options, id),
  },
  'bit-flipping-resample': {
    description: "Slowly-changing regression with all 15 slow bits redrawn every 10,000 examples (the reference repo's default cfg/prob.json).",
    defaults: { ...BIT_FLIPPING_DEFAULTS, variant: 'resample' },
    build: (id, options) => new BitFlippingStream(options, id),
  },
  'permuted-mnist': {
    description: 'Online permuted MNIST: a fresh pixel permutation and example order every task, one example per step (Dohare et al. 2024).',
    defaults: { ...PERMUTED_MNIST_DEFAULTS },
    build: (id, options) => new PermutedMnistStream(options, id),
  },
  'random-label-mnist': {
    description: 'Random-label MNIST: 1,200 fixed images, labels redrawn every task of 400 epochs (Kumar et al., L2 Init).',
    defaults: { ...RANDOM_LABEL_DEFAULTS },
    build: (id, options) => new RandomLabelStream(options, id),
  },
};

/** Names accepted by `makeStream`. */
export function streamIds(): string[] {
  return Object.keys(REGISTRY);
}

/** One-line description of each stream, for listings. */
export function describeStream(id: string): string {
  return entry(id).description;
}

/** The options a stream takes, with their defaults. */
export function streamDefaults(id: string): Record<string, unknown> {
  return { ...entry(id).defaults };
}

/** Builds a stream; `options` may set any of its defaults (e.g. `{seed: 3, examplesPerTask: 10000}`). */
export function makeStream(id: string, options: Record<string, unknown> = {}): Stream {
  const { defaults, build } = entry(id);
  for (const [key, value] of Object.entries(options)) {
    if (!(key in defaults)) {
      throw new PlasticdError('invalid_stream_option', `stream '${id}' has no option '${key}'; it takes ${Object.keys(defaults).join(', ')}`);
    }
    if (typeof value !== typeof defaults[key]) {
      throw new PlasticdError('invalid_stream_option', `option '${key}' of stream '${id}' must be a ${typeof defaults[key]}, got ${JSON.stringify(value)}`);
    }
  }
  return build(id, { ...defaults, ...options });
}

function entry(id: string): StreamEntry {
  const found = Object.hasOwn(REGISTRY, id) ? REGISTRY[id] : undefined;
  if (!found) throw new PlasticdError('unknown_stream', `unknown stream '${id}'; known streams: ${streamIds().join(', ')}`);
  return found;
}
