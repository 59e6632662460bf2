/**
 * On-policy rollout storage for PPO (single env), as in CleanRL's `ppo.py`: `numSteps` rows of
 * observation, action, log-prob, value, reward and done, then GAE(γ, λ) (Schulman et al. 2016,
 * arXiv 1506.02438). Truncation is handled by the caller folding γ·V(final observation) into the
 * truncated step's reward and marking it done (SB3's approach), so the recursion only sees `done`.
 */
import { PlasticdError } from '../src/util/errors.ts';

export interface RolloutBufferState {
  size: number;
  observations: Float32Array;
  actions: Float32Array;
  logProbs: Float32Array;
  values: Float32Array;
  rewards: Float32Array;
  dones: Float32Array;
}

export class RolloutBuffer {
  readonly observations: Float32Array;
  readonly actions: Float32Array;
  readonly logProbs: Float32Array;
  readonly values: Float32Array;
  readonly rewards: Float32Array;
  /** 1 where the episode ended after this step (terminated or truncated). */
  readonly dones: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
  private filled = 0;

  constructor(
    readonly numSteps: number,
    readonly observationSize: number,
    readonly actionSize: number,
  ) {
    if (!Number.isInteger(numSteps) || numSteps < 1) throw new PlasticdError('invalid_argument', `RolloutBuffer: numSteps must be a positive integer, got ${numSteps}.`);
    this.observations = new Float32Array(numSteps * observationSize);
    this.actions = new Float32Array(numSteps * actionSize);
    this.logProbs = new Float32Array(numSteps);
    this.values = new Float32Array(numSteps);
    this.rewards = new Float32Array(numSteps);
    this.dones = new Float32Array(numSteps);
    this.advantages = new Float32Array(numSteps);
    this.returns = new Float32Array(numSteps);
  }

  get size(): number {
    return this.filled;
  }

  get full(): boolean {
    return this.filled === this.numSteps;
  }

  add(observation: ArrayLike<number>, action: ArrayLike<number>, logProb: number, value: number, reward: number, done: boolean): void {
    if (this.full) throw new PlasticdError('invalid_state', 'RolloutBuffer.add: the rollout is full; compute advantages and clear it first.');
    const t = this.filled++;
    for (let k = 0; k < this.observationSize; k++) this.observations[t * this.observationSize + k] = observation[k];
    for (let k = 0; k < this.actionSize; k++) this.actions[t * this.actionSize + k] = action[k];
    this.logProbs[t] = logProb;
    this.values[t] = value;
    this.rewards[t] = reward;
    this.dones[t] = done ? 1 : 0;
  }

  /**
   * GAE: δ_t = r_t + γ V_{t+1} (1 − done_t) − V_t, A_t = δ_t + γλ (1 − done_t) A_{t+1}, returns = A + V.
   * `lastValue` is V of the observation after the last stored step (ignored when that step is done).
   */
  computeAdvantages(lastValue: number, gamma: number, lambda: number): void {
    let next = 0;
    for (let t = this.filled - 1; t >= 0; t--) {
      const notDone = 1 - this.dones[t];
      const nextValue = t === this.filled - 1 ? lastValue : this.values[t + 1];
      const delta = this.rewards[t] + gamma * nextValue * notDone - this.values[t];
      next = delta + gamma * lambda * notDone * next;
      this.advantages[t] = next;
      this.returns[t] = next + this.values[t];
    }
  }

  clear(): void {
    this.filled = 0;
  }

  state(): RolloutBufferState {
    const n = this.filled;
    return {
      size: n,
      observations: this.observations.slice(0, n * this.observationSize),
      actions: this.actions.slice(0, n * this.actionSize),
      logProbs: this.logProbs.slice(0, n),
      values: this.values.slice(0, n),
      rewards: this.rewards.slice(0, n),
      dones: this.dones.slice(0, n),
    };
  }

  restore(state: RolloutBufferState): void {
    if (state.size > this.numSteps || state.observations.length !== state.size * this.observationSize) {
      throw new PlasticdError('state_mismatch', `RolloutBuffer.restore: the state holds ${state.size} steps of ${state.observations.length / Math.max(1, state.size)} observation values; this buffer takes ${this.numSteps} of ${this.observationSize}.`);
    }
    this.observations.set(state.observations);
    this.actions.set(state.actions);
    this.logProbs.set(state.logProbs);
    this.values.set(state.values);
    this.rewards.set(state.rewards);
    this.dones.set(state.dones);
    this.filled = state.size;
  }
}
