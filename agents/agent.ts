/**
 * The contract every learner in agents/ implements (DESIGN.md "Agent"). The run loop owns the env
 * (or stream) and the monitor; the agent owns its networks, optimizers and buffers. Agents never
 * import the monitor: they report each network update through `hooks.onTrace` and ask
 * `hooks.references` for the GXD reference to pass into the next `trainStep`. The monitor may reset
 * units from inside `onTrace` — that is, between two updates — through the network's own surgery.
 */
import type { Network, StepTrace } from '../src/nn/types.ts';

export interface Transition<O, A> {
  observation: O;
  action: A;
  reward: number;
  nextObservation: O;
  /** The MDP ended: do not bootstrap from nextObservation. */
  terminated: boolean;
  /** Cut from outside (time limit): bootstrap from nextObservation. */
  truncated: boolean;
}

/** A labelled example of a supervised stream, for the continual learner. */
export interface SupervisedExample {
  input: Float32Array;
  target: Float32Array;
  /** Class index for classification streams. */
  label?: number;
}

export interface AgentHooks {
  /** GXD reference per hidden layer of the named network (null/undefined = zero reference). */
  references(network: string): ReadonlyArray<Float32Array | null> | undefined;
  /** Called after every optimizer update of any network, with that update's trace. */
  onTrace(trace: StepTrace): void;
}

export const NO_HOOKS: AgentHooks = Object.freeze({
  references: () => undefined,
  onTrace: () => {},
});

/** Summary of the agent's own learning, read by the run loop at the end of each window. */
export interface AgentStats {
  /** Optimizer updates per network since creation. */
  updates: Record<string, number>;
  /** Mean loss per network over the updates since the last call (NaN if none). */
  meanLoss: Record<string, number>;
  /** Agent-specific scalars worth plotting (epsilon, entropy, KL, clip fraction, …). */
  extra: Record<string, number>;
}

export interface Agent<O = Float32Array, A = unknown> {
  /** Algorithm name, e.g. 'dqn', 'ppo', 'stream-ac', 'continual'. */
  readonly kind: string;
  /** The action to take now (training-time policy, exploration included). Seeded by the agent's Rng. */
  act(observation: O): A;
  /** Feeds one transition; may train (calling hooks.onTrace after every update). */
  observe(transition: Transition<O, A>): void;
  /** The networks the monitor watches, by name (`q`, `actor`, `critic`, `model`). */
  networks(): Record<string, Network>;
  /** Statistics since the previous call (resets the loss accumulators). */
  takeStats(): AgentStats;
  /** Complete state: networks, optimizers, buffers, RNGs, counters; JSON-able apart from typed arrays. */
  state(): unknown;
  restore(state: unknown): void;
  dispose(): void;
}
