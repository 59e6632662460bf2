/**
 * Shared driver for the learning scripts: trains one agent per seed on a Gymnasium env for a fixed
 * number of env steps (the same act → step → observe loop the run loop uses, reset on episode end)
 * and reports the mean return of the last 20 episodes, env steps/s and wall time per seed.
 * Usage: `npx tsx scripts/learning/<script>.ts [--seeds 1,2,3] [--steps N] [--engine typed|tfjs] [--every N] [--config JSON]`.
 */
import { make } from '../../envs/index.ts';
import type { Agent } from '../../agents/agent.ts';
import type { Space } from '../../envs/spaces.ts';
import type { NetworkEngine } from '../../src/nn/create-network.ts';
import { initBackend } from '../../src/nn/backend.ts';

export interface LearningArgs {
  seeds: number[];
  steps: number;
  engine: NetworkEngine;
  /** Print a progress line every this many steps (0 = never). */
  every: number;
  /** Config overrides as JSON (`--config '{"gamma":0.98}'`), for tuning. */
  config: Record<string, unknown>;
}

/** The tfjs engine needs its backend ready before the first network is built. */
export async function prepare(args: LearningArgs): Promise<void> {
  if (args.engine !== 'typed') await initBackend();
}

export function parseArgs(defaults: { steps: number; seeds?: number[] }): LearningArgs {
  const argv = process.argv.slice(2);
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    seeds: (get('seeds') ?? (defaults.seeds ?? [1, 2, 3]).join(',')).split(',').map(Number),
    steps: Number(get('steps') ?? defaults.steps),
    engine: (get('engine') ?? 'typed') as NetworkEngine,
    every: Number(get('every') ?? 0),
    config: JSON.parse(get('config') ?? '{}') as Record<string, unknown>,
  };
}

export interface SeedResult {
  seed: number;
  episodes: number;
  last20: number;
  stepsPerSecond: number;
  seconds: number;
}

type AgentFactory = (spaces: { observationSpace: Space<unknown>; actionSpace: Space<unknown> }, seed: number, engine: NetworkEngine) => Agent<Float32Array, any>;

export function train(envId: string, factory: AgentFactory, seed: number, args: LearningArgs): SeedResult {
  const env = make(envId);
  const agent = factory({ observationSpace: env.observationSpace, actionSpace: env.actionSpace }, seed, args.engine);
  let { observation } = env.reset({ seed });
  const returns: number[] = [];
  let episodeReturn = 0;
  const start = performance.now();
  for (let step = 1; step <= args.steps; step++) {
    const action = agent.act(observation);
    const result = env.step(action);
    agent.observe({ observation, action, reward: result.reward, nextObservation: result.observation, terminated: result.terminated, truncated: result.truncated });
    episodeReturn += result.reward;
    observation = result.observation;
    if (result.terminated || result.truncated) {
      returns.push(episodeReturn);
      episodeReturn = 0;
      observation = env.reset().observation;
    }
    if (args.every > 0 && step % args.every === 0) {
      const stats = agent.takeStats();
      const extra = Object.entries(stats.extra).map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`).join(' ');
      console.log(`  seed ${seed} step ${step}: last20 ${mean(returns.slice(-20)).toFixed(1)} loss ${JSON.stringify(stats.meanLoss)} ${extra}`);
    }
  }
  const seconds = (performance.now() - start) / 1000;
  agent.dispose();
  return { seed, episodes: returns.length, last20: mean(returns.slice(-20)), stepsPerSecond: args.steps / seconds, seconds };
}

export function report(name: string, results: SeedResult[], args: LearningArgs): void {
  for (const r of results) {
    console.log(`${name} seed ${r.seed}: last-20 mean return ${r.last20.toFixed(1)} over ${r.episodes} episodes; ${r.stepsPerSecond.toFixed(0)} env steps/s; ${r.seconds.toFixed(1)} s`);
  }
  const means = results.map((r) => r.last20);
  console.log(
    `${name} [${args.engine}, ${args.steps} steps, seeds ${args.seeds.join(',')}]: mean of last-20 returns ${mean(means).toFixed(1)} (min ${Math.min(...means).toFixed(1)}), ` +
      `${mean(results.map((r) => r.stepsPerSecond)).toFixed(0)} env steps/s`,
  );
}

export function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
