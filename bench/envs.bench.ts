/**
 * Env stepping throughput: CartPole-v1 and Pendulum-v1 through make()'s full wrapper stack, the
 * bare env, and a SyncVectorEnv of 8 (steps counted per sub-env), random valid actions precomputed,
 * resetting on every episode end. Reference: Gymnasium's Python rate measured on these machines
 * (145,000 CartPole and 47,000 Pendulum steps/s through gymnasium.make).
 */
import { CartPoleEnv } from '../envs/classic-control/cart-pole.ts';
import { PendulumEnv } from '../envs/classic-control/pendulum.ts';
import type { Env } from '../envs/core.ts';
import { make, makeVec } from '../envs/index.ts';
import type { SyncVectorEnv } from '../envs/vector/sync-vector-env.ts';

const GYMNASIUM_STEPS_PER_SECOND: Record<string, number> = { 'CartPole-v1': 145_000, 'Pendulum-v1': 47_000 };
const ACTION_COUNT = 1 << 16;
const VECTOR_ENVS = 8;

interface Rate {
  /** Steps per wall-clock second (best of the repeats). */
  wall: number;
  /** Steps per second of this process's CPU time (user + system, all threads): robust to a busy machine. */
  cpu: number;
}

interface Row extends Rate {
  env: string;
  stack: string;
}

function actionsFor(env: Env<any, any>, seed: number): unknown[] {
  env.actionSpace.seed(seed);
  return Array.from({ length: ACTION_COUNT }, () => env.actionSpace.sample());
}

function stepLoop(env: Env<any, any>, actions: unknown[], steps: number): void {
  const mask = ACTION_COUNT - 1;
  for (let i = 0; i < steps; i++) {
    const r = env.step(actions[i & mask]);
    if (r.terminated || r.truncated) env.reset();
  }
}

function vectorLoop(vec: SyncVectorEnv, actions: unknown[], steps: number): void {
  const mask = ACTION_COUNT - 1;
  for (let i = 0; i < steps; i++) vec.step(actions[i & mask] as ArrayLike<number>);
}

/** Best of `repeats` timed runs of about `seconds` each, after a warm-up. */
function measure(run: (steps: number) => void, stepsPerCall: number, seconds = 0.6, repeats = 3): Rate {
  let n = 10_000;
  run(n);
  for (;;) {
    const t0 = performance.now();
    run(n);
    const elapsed = (performance.now() - t0) / 1000;
    if (elapsed > 0.1) {
      n = Math.max(1, Math.round((n * seconds) / elapsed));
      break;
    }
    n *= 4;
  }
  const best: Rate = { wall: 0, cpu: 0 };
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    run(n);
    const cpu = process.cpuUsage(c0);
    best.wall = Math.max(best.wall, (n * stepsPerCall) / ((performance.now() - t0) / 1000));
    best.cpu = Math.max(best.cpu, (n * stepsPerCall) / ((cpu.user + cpu.system) / 1e6));
  }
  return best;
}

function benchSingle(id: string, label: string, env: Env<any, any>): Row {
  env.reset({ seed: 0 });
  const actions = actionsFor(env, 1);
  return { env: id, stack: label, ...measure((n) => stepLoop(env, actions, n), 1) };
}

function benchVector(id: string): Row {
  const vec = makeVec(id, VECTOR_ENVS, { copy: false });
  vec.reset({ seed: 0 });
  const actions = actionsFor(vec as unknown as Env<any, any>, 1);
  return { env: id, stack: `makeVec × ${VECTOR_ENVS} (copy: false)`, ...measure((n) => vectorLoop(vec, actions, n), VECTOR_ENVS) };
}

export default async function benchEnvs(): Promise<void> {
  const rows: Row[] = [
    benchSingle('CartPole-v1', 'make() stack', make('CartPole-v1')),
    benchSingle('CartPole-v1', 'bare CartPoleEnv', new CartPoleEnv()),
    benchVector('CartPole-v1'),
    benchSingle('Pendulum-v1', 'make() stack', make('Pendulum-v1')),
    benchSingle('Pendulum-v1', 'bare PendulumEnv', new PendulumEnv()),
    benchVector('Pendulum-v1'),
  ];
  const format = (x: number) => Math.round(x).toLocaleString('en-US');
  const table = rows.map((r) => ({
    env: r.env,
    stack: r.stack,
    'steps/s': format(r.wall),
    'vs Gymnasium': `${(r.wall / GYMNASIUM_STEPS_PER_SECOND[r.env]!).toFixed(1)}×`,
    'steps/CPU-s': format(r.cpu),
    'vs Gymnasium (CPU)': `${(r.cpu / GYMNASIUM_STEPS_PER_SECOND[r.env]!).toFixed(1)}×`,
  }));
  console.log(`Env steps per second (Node ${process.version}; Gymnasium reference: CartPole 145,000/s, Pendulum 47,000/s through gymnasium.make)`);
  console.table(table);
  console.log('steps/s is wall-clock; steps/CPU-s divides by this process\'s CPU time and is the fairer number on a shared machine.');
}
