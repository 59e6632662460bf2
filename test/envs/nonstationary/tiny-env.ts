// A small PhysicalEnv for the nonstationary wrapper tests: asymmetric observation bounds, a
// reward that reveals which action ran, an RNG-driven reset, and a fixed episode length.
import { BaseEnv } from '../../../envs/core.ts';
import type { PhysicalEnv, ResetArgs, ResetResult, StepResult } from '../../../envs/core.ts';
import { Box, Discrete } from '../../../envs/spaces.ts';
import type { BoxValue } from '../../../envs/spaces.ts';
import type { StatefulEnvPart } from '../../../envs/stateful.ts';
import { Rng } from '../../../src/util/rng.ts';
import type { RngState } from '../../../src/util/rng.ts';

export class TinyEnv extends BaseEnv<BoxValue, number | BoxValue> implements PhysicalEnv, StatefulEnvPart {
  readonly observationSpace = new Box([-1, 0, -5, -2], [1, 10, 5, 3]);
  readonly actionSpace: Discrete | Box;
  state: number[] = [0, 0, 0, 0];
  /** Copies of the actions the env received, for tests. */
  readonly received: Array<number | number[]> = [];
  private readonly parameters: Record<string, number> = { gain: 2, drag: 0.5, mass: 1 };
  private elapsed = 0;

  constructor(
    readonly episodeLength = 1000,
    actions: 'discrete' | 'box' = 'discrete',
  ) {
    super();
    this.actionSpace = actions === 'discrete' ? new Discrete(3) : new Box([-1, 0], [1, 2]);
  }

  get physics(): Record<string, number> {
    return { ...this.parameters };
  }

  setPhysics(name: string, value: number): void {
    if (!(name in this.parameters)) throw new Error(`no parameter ${name}`);
    this.parameters[name] = value;
  }

  reset(args?: ResetArgs): ResetResult<BoxValue> {
    this.seedOnReset(args);
    const r = this.npRandom;
    this.state = [r.uniform(-0.5, 0.5), r.uniform(0, 1), r.uniform(-1, 1), r.uniform(-1, 1)];
    this.elapsed = 0;
    return { observation: Float32Array.from(this.state), info: {} };
  }

  step(action: number | BoxValue): StepResult<BoxValue> {
    const a = typeof action === 'number' ? action - 1 : action[0]! + 10 * action[1]!;
    this.received.push(typeof action === 'number' ? action : Array.from(action));
    const p = this.parameters;
    const s = this.state;
    s[0] = Math.max(-1, Math.min(1, s[0]! * p.drag! + 0.1 * p.gain! * a));
    s[1] = Math.min(10, s[1]! + 0.01 * p.mass!);
    s[2] = Math.max(-5, Math.min(5, s[2]! + this.npRandom.uniform(-0.1, 0.1)));
    s[3] = Math.max(-2, Math.min(3, a / 10));
    this.elapsed++;
    return { observation: Float32Array.from(s), reward: a, terminated: this.elapsed >= this.episodeLength, truncated: false, info: {} };
  }

  envState(): unknown {
    return { state: [...this.state], elapsed: this.elapsed, rng: this.npRandom.state(), parameters: { ...this.parameters } };
  }

  restoreEnvState(snapshot: unknown): void {
    const s = snapshot as { state: number[]; elapsed: number; rng: RngState; parameters: Record<string, number> };
    this.state = [...s.state];
    this.elapsed = s.elapsed;
    this.npRandom = Rng.fromState(s.rng);
    Object.assign(this.parameters, s.parameters);
  }
}
