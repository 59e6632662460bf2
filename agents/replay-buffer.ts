/**
 * Uniform experience replay (Mnih et al. 2015) as a preallocated ring of Float32Array rows, like
 * Stable-Baselines3's ReplayBuffer with `handle_timeout_termination`: only `terminated` is stored,
 * so a transition cut by a time limit still bootstraps from its next observation. Sampling draws
 * indices with replacement from the Rng the caller passes (the agent's), into preallocated batch
 * arrays, so a sample allocates nothing.
 */
import { PlasticdError } from '../src/util/errors.ts';
import type { Rng } from '../src/util/rng.ts';

export interface ReplayBatch {
  batchSize: number;
  /** [batchSize × observationSize] */
  observations: Float32Array;
  /** [batchSize × actionSize] */
  actions: Float32Array;
  rewards: Float32Array;
  nextObservations: Float32Array;
  /** 1 where the MDP terminated (no bootstrap), else 0. */
  terminated: Float32Array;
}

export interface ReplayBufferState {
  capacity: number;
  observationSize: number;
  actionSize: number;
  /** Next row to write. */
  position: number;
  /** Rows filled so far (≤ capacity). */
  size: number;
  observations: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObservations: Float32Array;
  terminated: Float32Array;
}

export class ReplayBuffer {
  private readonly observations: Float32Array;
  private readonly actions: Float32Array;
  private readonly rewards: Float32Array;
  private readonly nextObservations: Float32Array;
  private readonly terminated: Float32Array;
  private position = 0;
  private filled = 0;

  constructor(
    readonly capacity: number,
    readonly observationSize: number,
    readonly actionSize = 1,
  ) {
    for (const [name, value] of [['capacity', capacity], ['observationSize', observationSize], ['actionSize', actionSize]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new PlasticdError('invalid_argument', `ReplayBuffer: ${name} must be a positive integer, got ${value}.`);
    }
    this.observations = new Float32Array(capacity * observationSize);
    this.actions = new Float32Array(capacity * actionSize);
    this.rewards = new Float32Array(capacity);
    this.nextObservations = new Float32Array(capacity * observationSize);
    this.terminated = new Float32Array(capacity);
  }

  get size(): number {
    return this.filled;
  }

  /** Copies one transition in, overwriting the oldest once full. `action` is a number or a row of `actionSize`. */
  add(observation: ArrayLike<number>, action: number | ArrayLike<number>, reward: number, nextObservation: ArrayLike<number>, terminated: boolean): void {
    if (observation.length !== this.observationSize || nextObservation.length !== this.observationSize) {
      throw new PlasticdError('invalid_argument', `ReplayBuffer.add: observations must have ${this.observationSize} values, got ${observation.length} and ${nextObservation.length}.`);
    }
    const row = this.position;
    const o = row * this.observationSize;
    for (let k = 0; k < this.observationSize; k++) {
      this.observations[o + k] = observation[k];
      this.nextObservations[o + k] = nextObservation[k];
    }
    if (typeof action === 'number') this.actions[row * this.actionSize] = action;
    else for (let k = 0; k < this.actionSize; k++) this.actions[row * this.actionSize + k] = action[k];
    this.rewards[row] = reward;
    this.terminated[row] = terminated ? 1 : 0;
    this.position = (row + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  /** Preallocated arrays for `sample`. */
  createBatch(batchSize: number): ReplayBatch {
    return {
      batchSize,
      observations: new Float32Array(batchSize * this.observationSize),
      actions: new Float32Array(batchSize * this.actionSize),
      rewards: new Float32Array(batchSize),
      nextObservations: new Float32Array(batchSize * this.observationSize),
      terminated: new Float32Array(batchSize),
    };
  }

  /** Fills `batch` with `batch.batchSize` transitions drawn uniformly with replacement. */
  sample(rng: Rng, batch: ReplayBatch): ReplayBatch {
    if (this.filled === 0) throw new PlasticdError('invalid_state', 'ReplayBuffer.sample: the buffer is empty; add transitions before sampling.');
    const n = this.observationSize;
    const m = this.actionSize;
    for (let b = 0; b < batch.batchSize; b++) {
      const row = rng.int(this.filled);
      batch.observations.set(this.observations.subarray(row * n, row * n + n), b * n);
      batch.nextObservations.set(this.nextObservations.subarray(row * n, row * n + n), b * n);
      batch.actions.set(this.actions.subarray(row * m, row * m + m), b * m);
      batch.rewards[b] = this.rewards[row];
      batch.terminated[b] = this.terminated[row];
    }
    return batch;
  }

  /** A copy of the filled rows (a full buffer's rows in storage order) plus the write position. */
  state(): ReplayBufferState {
    const rows = this.filled;
    return {
      capacity: this.capacity,
      observationSize: this.observationSize,
      actionSize: this.actionSize,
      position: this.position,
      size: rows,
      observations: this.observations.slice(0, rows * this.observationSize),
      actions: this.actions.slice(0, rows * this.actionSize),
      rewards: this.rewards.slice(0, rows),
      nextObservations: this.nextObservations.slice(0, rows * this.observationSize),
      terminated: this.terminated.slice(0, rows),
    };
  }

  restore(state: ReplayBufferState): void {
    if (state.capacity !== this.capacity || state.observationSize !== this.observationSize || state.actionSize !== this.actionSize) {
      throw new PlasticdError(
        'state_mismatch',
        `ReplayBuffer.restore: the state is for capacity ${state.capacity}, ${state.observationSize} observation and ${state.actionSize} action values; this buffer has ${this.capacity}, ${this.observationSize}, ${this.actionSize}.`,
      );
    }
    this.observations.fill(0).set(state.observations);
    this.actions.fill(0).set(state.actions);
    this.rewards.fill(0).set(state.rewards);
    this.nextObservations.fill(0).set(state.nextObservations);
    this.terminated.fill(0).set(state.terminated);
    this.position = state.position;
    this.filled = state.size;
  }
}
