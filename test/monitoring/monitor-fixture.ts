/**
 * Shared pieces of the Monitor tests: a seeded regression teacher (a fixed random tanh network) that
 * streams (input, target) batches, and a training loop that wires a network to a Monitor exactly as
 * the run loop does (references in, trace out, inputs recorded, windows closed).
 */
import type { Monitor } from '../../monitoring/monitor.ts';
import type { ResetEvent, WindowReport } from '../../monitoring/types.ts';
import { meanSquaredError } from '../../src/nn/losses.ts';
import type { Network, StepTrace } from '../../src/nn/types.ts';
import { Rng } from '../../src/util/rng.ts';
import type { RngState } from '../../src/util/rng.ts';

export class Teacher {
  private readonly weights: Float64Array;
  private readonly readout: Float64Array;
  readonly rng: Rng;

  constructor(
    readonly inputSize: number,
    readonly outputSize: number,
    seed: number,
    private readonly hidden = 16,
  ) {
    const setup = new Rng(seed);
    this.weights = Float64Array.from({ length: hidden * inputSize }, () => setup.normal(0, 1 / Math.sqrt(inputSize)));
    this.readout = Float64Array.from({ length: outputSize * hidden }, () => setup.normal(0, 1 / Math.sqrt(hidden)));
    this.rng = setup.fork();
  }

  /** A fresh batch: inputs N(0, 1), targets from the teacher. */
  batch(batchSize: number): { input: Float32Array; target: Float32Array } {
    const input = new Float32Array(batchSize * this.inputSize);
    for (let k = 0; k < input.length; k++) input[k] = this.rng.normal();
    return { input, target: this.targets(input, batchSize) };
  }

  targets(input: Float32Array, batchSize: number): Float32Array {
    const target = new Float32Array(batchSize * this.outputSize);
    const h = new Float64Array(this.hidden);
    for (let b = 0; b < batchSize; b++) {
      for (let j = 0; j < this.hidden; j++) {
        let z = 0;
        for (let i = 0; i < this.inputSize; i++) z += this.weights[j * this.inputSize + i] * input[b * this.inputSize + i];
        h[j] = Math.tanh(2 * z);
      }
      for (let c = 0; c < this.outputSize; c++) {
        let y = 0;
        for (let j = 0; j < this.hidden; j++) y += this.readout[c * this.hidden + j] * h[j];
        target[b * this.outputSize + c] = y;
      }
    }
    return target;
  }

  rngState(): RngState {
    return this.rng.state();
  }
}

export interface LoopResult {
  events: ResetEvent[];
  reports: WindowReport[];
}

/**
 * Trains `network` for steps `from + 1 .. to` on teacher batches with the monitor attached; closes a
 * window whenever `monitor.windowDue(step)` (one step = one update here).
 */
export function trainWithMonitor(
  network: Network,
  monitor: Monitor,
  teacher: Teacher,
  options: {
    from: number;
    to: number;
    batchSize: number;
    heldOut?: { input: Float32Array; target: Float32Array; batchSize: number };
    onTrace?: (trace: StepTrace, input: Float32Array) => void;
  },
): LoopResult {
  const events: ResetEvent[] = [];
  const reports: WindowReport[] = [];
  for (let step = options.from + 1; step <= options.to; step++) {
    const { input, target } = teacher.batch(options.batchSize);
    monitor.recordInputs(network.name, input, options.batchSize);
    const trace = network.trainStep({
      input,
      batchSize: options.batchSize,
      loss: meanSquaredError(target),
      references: monitor.references(network.name),
    });
    options.onTrace?.(trace, input);
    events.push(...monitor.onStep(trace));
    if (monitor.windowDue(step)) {
      const heldOut = options.heldOut;
      reports.push(
        monitor.onWindow({
          step,
          performance: { loss: trace.loss },
          heldOut: heldOut
            ? { [network.name]: { input: heldOut.input, batchSize: heldOut.batchSize, loss: meanSquaredError(heldOut.target) } }
            : undefined,
        }),
      );
    }
  }
  return { events, reports };
}
