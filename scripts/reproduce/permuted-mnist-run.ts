/**
 * One seeded run of online permuted MNIST at reduced scale (algorithms.md §4.2; Dohare et al.,
 * Nature 2024, `lop/permuted_mnist/online_expr.py`): 784 → 3 × 100 ReLU → 10, SGD 0.003, batch 1,
 * a new pixel permutation every `examplesPerTask` examples. Online accuracy and loss are measured
 * on each example before the update on it and averaged per task. At each task start, before
 * training on it, every hidden layer is probed on the task's first 2000 examples (dead units,
 * effective rank), as the reference does; the probe reads a copy of the stream, so training data
 * are unaffected. A run advances one task at a time and, with a checkpoint file, saves everything
 * after each task (atomically), so a re-run continues bit-identically where it stopped.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { ContinualAgent } from '../../agents/continual.ts';
import type { ContinualState } from '../../agents/continual.ts';
import { makeStream } from '../../envs/streams/index.ts';
import type { Stream, StreamBatch, StreamState } from '../../envs/streams/stream.ts';
import { Rng } from '../../src/util/rng.ts';
import { methodSetup, ResetDriver } from './methods.ts';
import type { MethodName, ResetDriverState } from './methods.ts';
import { probeLayers } from './probe.ts';
import type { LayerProbe } from './probe.ts';

export interface PermutedMnistJob {
  method: MethodName;
  seed: number;
  tasks: number;
  examplesPerTask: number;
  hiddenUnits: number[];
  probeSize: number;
  /** When set, the run so far is written here as JSON after every task (to watch long runs, or report a stopped one). */
  progressFile?: string;
  /** When set, the full run state is saved here after every task and a new run resumes from it. */
  checkpointFile?: string;
}

export interface PermutedMnistRunResult {
  benchmark: 'permuted-mnist';
  method: MethodName;
  methodSummary: string;
  seed: number;
  /** Tasks asked for. */
  tasks: number;
  /** Tasks completed (equals `tasks` when the run finished). */
  tasksDone: number;
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
  /** Seconds spent training and probing, summed over resumed invocations. */
  wallSeconds: number;
  microsecondsPerExample: number;
}

/** Everything a resumed run needs, written with v8.serialize (typed arrays and floats exact). */
interface PermutedMnistCheckpoint {
  formatVersion: 1;
  job: JobIdentity;
  result: PermutedMnistRunResult;
  agent: ContinualState;
  driver: ResetDriverState | null;
  stream: StreamState;
}

/** Jobs one worker thread runs interleaved, and when it stops (ms since the epoch; null: never). */
export interface PermutedMnistGroup {
  jobs: PermutedMnistJob[];
  deadline: number | null;
}

type JobIdentity = Pick<PermutedMnistJob, 'method' | 'seed' | 'tasks' | 'examplesPerTask' | 'hiddenUnits' | 'probeSize'>;

const identityOf = (job: PermutedMnistJob): JobIdentity => ({
  method: job.method,
  seed: job.seed,
  tasks: job.tasks,
  examplesPerTask: job.examplesPerTask,
  hiddenUnits: job.hiddenUnits,
  probeSize: job.probeSize,
});

export class PermutedMnistRun {
  private readonly stream: Stream;
  private readonly streamOptions: { seed: number; examplesPerTask: number };
  private readonly driver: ResetDriver | null;
  private readonly agent: ContinualAgent;
  private readonly batch: StreamBatch;
  private readonly result: PermutedMnistRunResult;

  constructor(private readonly job: PermutedMnistJob) {
    const setup = methodSetup(job.method, 'permuted-mnist');
    this.streamOptions = { seed: job.seed, examplesPerTask: job.examplesPerTask };
    this.stream = makeStream('permuted-mnist', this.streamOptions);
    this.driver = setup.reset ? new ResetDriver(setup.reset, new Rng(20_000 + job.seed)) : null;
    this.agent = new ContinualAgent(
      {
        task: 'classification',
        inputSize: this.stream.inputSize,
        outputSize: 10,
        hiddenUnits: job.hiddenUnits,
        activation: 'relu',
        hiddenInit: 'he_uniform',
        outputInit: 'lecun_uniform',
        optimizer: setup.optimizer,
        regularizers: setup.regularizers,
        seed: 10_000 + job.seed,
      },
      this.driver ?? undefined,
    );
    this.driver?.attach(this.agent.networks().model);
    this.batch = this.stream.allocateBatch(1);
    this.result = {
      benchmark: 'permuted-mnist',
      method: job.method,
      methodSummary: setup.summary,
      seed: job.seed,
      tasks: job.tasks,
      tasksDone: 0,
      examplesPerTask: job.examplesPerTask,
      hiddenUnits: job.hiddenUnits,
      accuracy: [],
      loss: [],
      probes: [],
      resetsPerTask: [],
      wallSeconds: 0,
      microsecondsPerExample: NaN,
    };
    if (job.checkpointFile && existsSync(job.checkpointFile)) this.resumeFrom(job.checkpointFile);
  }

  get done(): boolean {
    return this.result.tasksDone >= this.job.tasks;
  }

  get tasksDone(): number {
    return this.result.tasksDone;
  }

  /** Probes, then trains on one whole task; saves progress and checkpoint when the job names them. */
  runTask(): void {
    const started = performance.now();
    const { job, stream, batch, agent, driver, result } = this;
    const model = agent.networks().model;
    // Probe on this task's first examples, read from a copy of the stream at the same position.
    const peek = makeStream('permuted-mnist', this.streamOptions);
    peek.restoreStreamState(stream.streamState());
    result.probes.push(probeLayers(model, peek.nextBatch(job.probeSize).inputs, job.probeSize));

    const resetsBefore = driver ? [...driver.resetsPerLayer] : [];
    let correct = 0;
    let lossSum = 0;
    for (let k = 0; k < job.examplesPerTask; k++) {
      stream.nextBatch(1, batch);
      const step = agent.learn(batch);
      correct += step.correct;
      lossSum += step.loss;
    }
    result.accuracy.push(correct / job.examplesPerTask);
    result.loss.push(lossSum / job.examplesPerTask);
    result.resetsPerTask.push(driver ? driver.resetsPerLayer.map((count, l) => count - resetsBefore[l]) : job.hiddenUnits.map(() => 0));
    result.tasksDone += 1;
    result.wallSeconds += (performance.now() - started) / 1000;
    result.microsecondsPerExample = (result.wallSeconds * 1e6) / (result.tasksDone * job.examplesPerTask);
    if (job.progressFile) writeAtomically(job.progressFile, JSON.stringify(result) + '\n');
    if (job.checkpointFile) writeAtomically(job.checkpointFile, serialize(this.checkpoint()));
  }

  /** The run so far (a copy). */
  snapshot(): PermutedMnistRunResult {
    return structuredClone(this.result);
  }

  dispose(): void {
    this.agent.dispose();
  }

  private checkpoint(): PermutedMnistCheckpoint {
    return {
      formatVersion: 1,
      job: identityOf(this.job),
      result: this.result,
      agent: this.agent.state(),
      driver: this.driver ? this.driver.state() : null,
      stream: this.stream.streamState(),
    };
  }

  private resumeFrom(file: string): void {
    const saved = deserialize(readFileSync(file)) as PermutedMnistCheckpoint;
    if (saved.formatVersion !== 1 || JSON.stringify(saved.job) !== JSON.stringify(identityOf(this.job))) {
      throw new Error(
        `checkpoint ${file} is for ${JSON.stringify(saved.job)}, not ${JSON.stringify(identityOf(this.job))}; delete it or use another --checkpoints folder`,
      );
    }
    this.agent.restore(saved.agent);
    if (this.driver && saved.driver) this.driver.restore(saved.driver);
    this.stream.restoreStreamState(saved.stream);
    Object.assign(this.result, saved.result);
  }
}

/** Runs (or resumes) one job to the end. */
export function runPermutedMnist(job: PermutedMnistJob): PermutedMnistRunResult {
  return runPermutedMnistGroup([job])[0];
}

/**
 * Runs several jobs in one thread, interleaved task by task, so that all of them have about as
 * many tasks done at any moment; stops after the task that passes `deadline` (ms since the epoch),
 * leaving the runs unfinished but checkpointed.
 */
export function runPermutedMnistGroup(jobs: PermutedMnistJob[], deadline: number | null = null): PermutedMnistRunResult[] {
  const stopAt = deadline ?? Infinity;
  const runs = jobs.map((job) => new PermutedMnistRun(job));
  while (runs.some((run) => !run.done) && Date.now() < stopAt) {
    const behind = Math.min(...runs.filter((run) => !run.done).map((run) => run.tasksDone));
    for (const run of runs) if (!run.done && run.tasksDone === behind) run.runTask();
  }
  const results = runs.map((run) => run.snapshot());
  for (const run of runs) run.dispose();
  return results;
}

function writeAtomically(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}
