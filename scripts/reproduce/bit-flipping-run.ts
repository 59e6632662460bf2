/**
 * One seeded run of slowly-changing regression (algorithms.md §4.1; Dohare et al., Nature 2024,
 * `lop/slowly_changing_regression/expr.py`): a 20-5-1 ReLU learner, SGD 0.01, batch 1, the squared
 * error of each example measured before the update on it, binned over `binSize` examples. Every
 * `probeEvery` examples (the end of each task) the hidden layer is probed on the last 2000 inputs.
 * Seeds: the stream and the initial weights depend only on the seed, so methods are compared on
 * the same data from the same start (paired runs).
 */
import { ContinualAgent } from '../../agents/continual.ts';
import { makeStream } from '../../envs/streams/index.ts';
import { Rng } from '../../src/util/rng.ts';
import { methodSetup, ResetDriver } from './methods.ts';
import type { MethodName } from './methods.ts';
import { probeLayers } from './probe.ts';

export interface BitFlippingJob {
  method: MethodName;
  seed: number;
  examples: number;
  variant: 'resample' | 'flip-one';
  binSize: number;
  probeEvery: number;
  probeSize: number;
}

export interface BitFlippingRunResult {
  benchmark: 'bit-flipping';
  method: MethodName;
  methodSummary: string;
  seed: number;
  variant: BitFlippingJob['variant'];
  streamId: string;
  examples: number;
  binSize: number;
  /** Mean squared error (before each update) per bin of `binSize` examples. */
  binnedError: number[];
  probeEvery: number;
  /** After every `probeEvery` examples, on the last `probeSize` inputs. */
  probes: Array<{ examples: number; deadFraction: number; effectiveRank: number; resets: number }>;
  /** Units reset in total (hidden layer). */
  resets: number;
  wallSeconds: number;
  microsecondsPerExample: number;
}

export function runBitFlipping(job: BitFlippingJob): BitFlippingRunResult {
  const started = performance.now();
  const setup = methodSetup(job.method, 'bit-flipping');
  const streamId = job.variant === 'resample' ? 'bit-flipping-resample' : 'bit-flipping';
  const stream = makeStream(streamId, { seed: job.seed });
  const driver = setup.reset ? new ResetDriver(setup.reset, new Rng(20_000 + job.seed)) : null;
  const agent = new ContinualAgent(
    {
      task: 'regression',
      inputSize: stream.inputSize,
      outputSize: 1,
      hiddenUnits: [5],
      activation: 'relu',
      hiddenInit: 'he_uniform',
      outputInit: 'lecun_uniform',
      optimizer: setup.optimizer,
      regularizers: setup.regularizers,
      seed: 10_000 + job.seed,
    },
    driver ?? undefined,
  );
  const model = agent.networks().model;
  driver?.attach(model);

  const batch = stream.allocateBatch(1);
  const inputSize = stream.inputSize;
  const recent = new Float32Array(job.probeSize * inputSize);
  const binnedError: number[] = [];
  const probes: BitFlippingRunResult['probes'] = [];
  let binSum = 0;
  for (let t = 0; t < job.examples; t++) {
    stream.nextBatch(1, batch);
    recent.set(batch.inputs, (t % job.probeSize) * inputSize);
    binSum += agent.learn(batch).loss;
    if ((t + 1) % job.binSize === 0) {
      binnedError.push(binSum / job.binSize);
      binSum = 0;
    }
    if ((t + 1) % job.probeEvery === 0 && t + 1 >= job.probeSize) {
      const [hidden] = probeLayers(model, recent, job.probeSize);
      probes.push({ examples: t + 1, ...hidden, resets: driver?.totalResets ?? 0 });
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  agent.dispose();
  return {
    benchmark: 'bit-flipping',
    method: job.method,
    methodSummary: setup.summary,
    seed: job.seed,
    variant: job.variant,
    streamId,
    examples: job.examples,
    binSize: job.binSize,
    binnedError,
    probeEvery: job.probeEvery,
    probes,
    resets: driver?.totalResets ?? 0,
    wallSeconds,
    microsecondsPerExample: (wallSeconds * 1e6) / job.examples,
  };
}
