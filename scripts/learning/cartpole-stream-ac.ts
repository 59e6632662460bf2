/**
 * Learning check (not a test): Stream AC(λ) (agents/stream-ac.ts, reference defaults) on
 * CartPole-v1 for several seeds. Prints, per seed and at every checkpoint, the mean undiscounted
 * return of the last 20 finished episodes, then the mean across seeds, and env steps per second
 * (agent act + observe + env step, single thread).
 *
 *   npx tsx scripts/learning/cartpole-stream-ac.ts [--seeds 3] [--steps 50000] [--every 5000]
 *       [--engine typed|tfjs|auto] [--hidden 128,128] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { make } from '../../envs/index.ts';
import { StreamAcAgent } from '../../agents/stream-ac.ts';
import { initBackend } from '../../src/nn/backend.ts';
import type { NetworkEngine } from '../../src/nn/index.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '50000' },
    every: { type: 'string', default: '5000' },
    engine: { type: 'string', default: 'typed' },
    hidden: { type: 'string', default: '128,128' },
    json: { type: 'string' },
  },
});
const seeds = Number(values.seeds);
const totalSteps = Number(values.steps);
const every = Number(values.every);
const engine = values.engine as NetworkEngine;
const hiddenUnits = values.hidden.split(',').map(Number);
const WINDOW = 20;

if (engine !== 'typed') await initBackend();

interface SeedResult {
  seed: number;
  checkpoints: { step: number; episodes: number; meanLast20: number }[];
  episodeReturns: number[];
  episodeEndSteps: number[];
  stepsPerSecond: number;
}

function runSeed(seed: number): SeedResult {
  const env = make('CartPole-v1');
  const agent = new StreamAcAgent({ observationSpace: env.observationSpace, actionSpace: env.actionSpace, config: { hiddenUnits }, seed, engine });
  const result: SeedResult = { seed, checkpoints: [], episodeReturns: [], episodeEndSteps: [], stepsPerSecond: 0 };
  let observation = env.reset({ seed }).observation as Float32Array;
  let episodeReturn = 0;
  const start = performance.now();
  for (let t = 1; t <= totalSteps; t++) {
    const action = agent.act(observation);
    const step = env.step(action);
    agent.observe({ observation, action, reward: step.reward, nextObservation: step.observation, terminated: step.terminated, truncated: step.truncated });
    episodeReturn += step.reward;
    if (step.terminated || step.truncated) {
      result.episodeReturns.push(episodeReturn);
      result.episodeEndSteps.push(t);
      episodeReturn = 0;
      observation = env.reset().observation as Float32Array;
    } else {
      observation = step.observation as Float32Array;
    }
    if (t % every === 0) {
      const recent = result.episodeReturns.slice(-WINDOW);
      const meanLast20 = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : Number.NaN;
      result.checkpoints.push({ step: t, episodes: result.episodeReturns.length, meanLast20 });
      const rate = t / ((performance.now() - start) / 1000);
      console.log(`seed ${seed}  step ${String(t).padStart(7)}  episodes ${String(result.episodeReturns.length).padStart(5)}  mean return (last ${WINDOW}) ${meanLast20.toFixed(1).padStart(6)}  ${rate.toFixed(0)} steps/s`);
    }
  }
  result.stepsPerSecond = totalSteps / ((performance.now() - start) / 1000);
  agent.dispose();
  return result;
}

const results: SeedResult[] = [];
for (let seed = 0; seed < seeds; seed++) results.push(runSeed(seed));

console.log(`\nStream AC(λ) on CartPole-v1, hidden ${hiddenUnits.join('×')}, engine ${engine}: mean over ${seeds} seeds of the mean return of the last ${WINDOW} episodes`);
console.log('step      ' + results.map((r) => `seed ${r.seed}`.padStart(8)).join('') + '     mean');
for (let k = 0; k < results[0].checkpoints.length; k++) {
  const row = results.map((r) => r.checkpoints[k].meanLast20);
  const mean = row.reduce((a, b) => a + b, 0) / row.length;
  console.log(String(results[0].checkpoints[k].step).padEnd(10) + row.map((v) => v.toFixed(1).padStart(8)).join('') + mean.toFixed(1).padStart(9));
}
const rate = results.reduce((a, r) => a + r.stepsPerSecond, 0) / results.length;
console.log(`env steps/s (act + env.step + observe, mean over seeds): ${rate.toFixed(0)}`);
if (values.json) writeFileSync(values.json, JSON.stringify({ hiddenUnits, engine, totalSteps, results }, null, 1));
