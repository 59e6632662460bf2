/**
 * Shared driver for the learning scripts: trains one agent per seed on a Gymnasium env for a fixed
 * number of env steps (the same act → step → observe loop the run loop uses, reset on episode end)
 * and reports, per seed, the mean return of the last 20 training episodes and of `--eval-episodes`
 * greedy evaluation episodes (the agent's `greedyAction`, on a separate env seeded 1,000,000 + seed,
 * no learning), optionally a curve of both every `--eval-every` steps, env steps/s and wall time.
 * Everything is seeded: the same command prints the same returns.
 * Usage: `npx tsx scripts/learning/<script>.ts [--seeds 1,2,3] [--steps N] [--engine typed|tfjs]
 *   [--every N] [--eval-every N] [--eval-episodes 20] [--config JSON] [--json out.json]`.
 */
import { writeFileSync } from 'node:fs';
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
  /** Greedy evaluation (and a curve point) every this many steps; 0 = only at the end. */
  evalEvery: number;
  /** Greedy episodes per evaluation. Default 20. */
  evalEpisodes: number;
  /** Config overrides as JSON (`--config '{"gamma":0.98}'`), for tuning. */
  config: Record<string, unknown>;
  /** Write the per-seed results (curves included) here as JSON. */
  json: string | null;
}

/** The tfjs engine needs its backend ready before the first network is built. */
export async function prepare(args: LearningArgs): Promise<void> {
  if (args.engine !== 'typed') await initBackend();
}

export function parseArgs(defaults: { steps: number; seeds?: number[]; evalEvery?: number }): LearningArgs {
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
    evalEvery: Number(get('eval-every') ?? defaults.evalEvery ?? 0),
    evalEpisodes: Number(get('eval-episodes') ?? 20),
    config: JSON.parse(get('config') ?? '{}') as Record<string, unknown>,
    json: get('json') ?? null,
  };
}

export interface CurvePoint {
  step: number;
  /** Mean return of the last 20 finished training episodes (NaN before the first). */
  trainLast20: number;
  /** Mean greedy return over evalEpisodes episodes (NaN for agents without greedyAction). */
  evalMean: number;
}

export interface SeedResult {
  seed: number;
  episodes: number;
  last20: number;
  /** Greedy evaluation of the final agent (NaN when the agent has no greedyAction). */
  evalMean: number;
  evalReturns: number[];
  curve: CurvePoint[];
  stepsPerSecond: number;
  /** Wall time of training only (evaluations excluded). */
  seconds: number;
}

type AnyAgent = Agent<Float32Array, any>;
type AgentFactory = (spaces: { observationSpace: Space<unknown>; actionSpace: Space<unknown> }, seed: number, engine: NetworkEngine) => AnyAgent;

interface GreedyAgent {
  greedyAction(observation: Float32Array): unknown;
}

function hasGreedyAction(agent: unknown): agent is GreedyAgent {
  return typeof (agent as Partial<GreedyAgent>).greedyAction === 'function';
}

/** Undiscounted returns of `episodes` greedy episodes on a fresh env (first reset seeded with `seed`); the agent does not learn. */
export function evaluateGreedy(envId: string, agent: GreedyAgent, episodes: number, seed: number): number[] {
  const env = make(envId);
  const returns: number[] = [];
  let { observation } = env.reset({ seed });
  for (let episode = 0; episode < episodes; episode++) {
    let episodeReturn = 0;
    for (;;) {
      const result = env.step(agent.greedyAction(observation as Float32Array));
      episodeReturn += result.reward;
      observation = result.observation;
      if (result.terminated || result.truncated) break;
    }
    returns.push(episodeReturn);
    observation = env.reset().observation;
  }
  env.close();
  return returns;
}

export function train(envId: string, factory: AgentFactory, seed: number, args: LearningArgs): SeedResult {
  const env = make(envId);
  const agent = factory({ observationSpace: env.observationSpace, actionSpace: env.actionSpace }, seed, args.engine);
  const evalSeed = 1_000_000 + seed;
  const evaluate = () => (hasGreedyAction(agent) ? evaluateGreedy(envId, agent, args.evalEpisodes, evalSeed) : []);
  let { observation } = env.reset({ seed });
  const returns: number[] = [];
  const curve: CurvePoint[] = [];
  let episodeReturn = 0;
  let trainingMs = 0;
  let start = performance.now();
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
    const curveDue = args.evalEvery > 0 && step % args.evalEvery === 0 && step < args.steps;
    if (curveDue) {
      trainingMs += performance.now() - start;
      curve.push({ step, trainLast20: mean(returns.slice(-20)), evalMean: mean(evaluate()) });
      start = performance.now();
    }
    if (args.every > 0 && step % args.every === 0) {
      const stats = agent.takeStats();
      const extra = Object.entries(stats.extra).map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`).join(' ');
      const evalText = curveDue ? ` greedy ${curve[curve.length - 1].evalMean.toFixed(1)}` : '';
      console.log(`  seed ${seed} step ${step}: last20 ${mean(returns.slice(-20)).toFixed(1)}${evalText} loss ${JSON.stringify(stats.meanLoss)} ${extra}`);
    }
  }
  trainingMs += performance.now() - start;
  const evalReturns = evaluate();
  const last20 = mean(returns.slice(-20));
  curve.push({ step: args.steps, trainLast20: last20, evalMean: mean(evalReturns) });
  agent.dispose();
  env.close();
  // Printed as each seed finishes, so a long multi-seed run can be read (or stopped) part-way.
  console.log(`  seed ${seed} done: greedy mean ${mean(evalReturns).toFixed(1)}, last-20 training mean ${last20.toFixed(1)}`);
  return { seed, episodes: returns.length, last20, evalMean: mean(evalReturns), evalReturns, curve, stepsPerSecond: args.steps / (trainingMs / 1000), seconds: trainingMs / 1000 };
}

/** Prints the per-seed lines, a curve table when there is one, the summary line; writes --json. */
export function report(name: string, results: SeedResult[], args: LearningArgs, target?: number): void {
  for (const r of results) {
    console.log(
      `${name} seed ${r.seed}: greedy mean return ${r.evalMean.toFixed(1)} over ${r.evalReturns.length} episodes ` +
        `(min ${Math.min(...r.evalReturns).toFixed(1)}); last-20 training mean ${r.last20.toFixed(1)} over ${r.episodes} episodes; ` +
        `${r.stepsPerSecond.toFixed(0)} env steps/s; ${r.seconds.toFixed(1)} s`,
    );
  }
  if (results.length > 0 && results[0].curve.length > 1) {
    console.log(`step      ${results.map((r) => `seed ${r.seed} train/greedy`.padStart(22)).join('')}`);
    for (let k = 0; k < results[0].curve.length; k++) {
      const cells = results.map((r) => `${r.curve[k].trainLast20.toFixed(1)} / ${r.curve[k].evalMean.toFixed(1)}`.padStart(22));
      console.log(String(results[0].curve[k].step).padEnd(10) + cells.join(''));
    }
  }
  const evals = results.map((r) => r.evalMean);
  const passed = target === undefined ? '' : `; ${evals.filter((v) => v >= target).length}/${evals.length} seeds ≥ ${target}`;
  console.log(
    `${name} [${args.engine}, ${args.steps} steps, seeds ${args.seeds.join(',')}]: greedy mean ${mean(evals).toFixed(1)} (min ${Math.min(...evals).toFixed(1)})${passed}; ` +
      `last-20 training mean ${mean(results.map((r) => r.last20)).toFixed(1)}; ${mean(results.map((r) => r.stepsPerSecond)).toFixed(0)} env steps/s`,
  );
  if (args.json) writeFileSync(args.json, JSON.stringify({ name, args, target, results }, null, 1));
}

export function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
