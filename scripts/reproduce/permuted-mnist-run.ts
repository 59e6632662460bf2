/**
 * One seeded run of online permuted MNIST at reduced scale (algorithms.md §4.2; Dohare et al.,
 * Nature 2024, `lop/permuted_mnist/online_expr.py`): 784 → 3 × 100 ReLU → 10, SGD 0.003, batch 1,
 * a new pixel permutation every `examplesPerTask` examples. Online accuracy and loss are measured
 * on each example before the update on it and averaged per task. At each task start, before
 * training on it, every hidden layer is probed on the task's first 2000 examples (dead units,
 * effective rank), as the reference does; the probe reads a copy of the stream, so training data
 * are unaffected.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ContinualAgent } from '../../agents/continual.ts';
import { makeStream } from '../../envs/streams/index.ts';
import { Rng } from '../../src/util/rng.ts';
import { methodSetup, ResetDriver } from './methods.ts';
import type { MethodName } from './methods.ts';
import { probeLayers } from './probe.ts';
import type { LayerProbe } from './probe.ts';

export interface PermutedMnistJob {
  method: MethodName;
  seed: number;
  tasks: number;
  examplesPerTask: number;
  hiddenUnits: number[];
  probeSize: number;
  /** When set, the run so far is written here as JSON every 10 tasks (to watch long runs). */
  progressFile?: string;
}

export interface PermutedMnistRunResult {
  benchmark: 'permuted-mnist';
  method: MethodName;
  methodSummary: string;
  seed: number;
  tasks: number;
  examplesPerTask: number;
  hiddenUnits: number[];
  /** Online accuracy (before each update) per task. */
  accuracy: number[];
  /** Mean cross-entropy (before each update) per task. */
  loss: number[];
  /** Per task, at its start: one probe per hidden layer. */
  probes: LayerProbe[][];
  /** Units reset per hidden layer per task. */
  resetsPerTask: number[][];
  wallSeconds: number;
  microsecondsPerExample: number;
}

export function runPermutedMnist(job: PermutedMnistJob): PermutedMnistRunResult {
  const started = performance.now();
  const setup = methodSetup(job.method, 'permuted-mnist');
  const streamOptions = { seed: job.seed, examplesPerTask: job.examplesPerTask };
  const stream = makeStream('permuted-mnist', streamOptions);
  const driver = setup.reset ? new ResetDriver(setup.reset, new Rng(20_000 + job.seed)) : null;
  const agent = new ContinualAgent(
    {
      task: 'classification',
      inputSize: stream.inputSize,
      outputSize: 10,
      hiddenUnits: job.hiddenUnits,
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
  const accuracy: number[] = [];
  const loss: number[] = [];
  const probes: LayerProbe[][] = [];
  const resetsPerTask: number[][] = [];
  let resetsBefore = driver ? [...driver.resetsPerLayer] : [];
  for (let task = 0; task < job.tasks; task++) {
    // Probe on this task's first examples, read from a copy of the stream at the same position.
    const peek = makeStream('permuted-mnist', streamOptions);
    peek.restoreStreamState(stream.streamState());
    probes.push(probeLayers(model, peek.nextBatch(job.probeSize).inputs, job.probeSize));

    let correct = 0;
    let lossSum = 0;
    for (let k = 0; k < job.examplesPerTask; k++) {
      stream.nextBatch(1, batch);
      const result = agent.learn(batch);
      correct += result.correct;
      lossSum += result.loss;
    }
    accuracy.push(correct / job.examplesPerTask);
    loss.push(lossSum / job.examplesPerTask);
    if (driver) {
      resetsPerTask.push(driver.resetsPerLayer.map((count, l) => count - resetsBefore[l]));
      resetsBefore = [...driver.resetsPerLayer];
    } else {
      resetsPerTask.push(job.hiddenUnits.map(() => 0));
    }
    if (job.progressFile && (task + 1) % 10 === 0) {
      mkdirSync(dirname(job.progressFile), { recursive: true });
      writeFileSync(job.progressFile, JSON.stringify({ method: job.method, seed: job.seed, tasksDone: task + 1, accuracy, probes, resetsPerTask }) + '\n');
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  agent.dispose();
  const examples = job.tasks * job.examplesPerTask;
  return {
    benchmark: 'permuted-mnist',
    method: job.method,
    methodSummary: setup.summary,
    seed: job.seed,
    tasks: job.tasks,
    examplesPerTask: job.examplesPerTask,
    hiddenUnits: job.hiddenUnits,
    accuracy,
    loss,
    probes,
    resetsPerTask,
    wallSeconds,
    microsecondsPerExample: (wallSeconds * 1e6) / examples,
  };
}
