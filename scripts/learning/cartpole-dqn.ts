/**
 * DQN on CartPole-v1; target: last-20 mean return ≥ 475. Runs the default DqnConfig with rl-zoo's
 * bursty schedule (128 updates every 256 env steps; the defaults interleave the same 0.5
 * updates/step as 1 every 2 steps, which suits an online agent watched by the monitor).
 * `npx tsx scripts/learning/cartpole-dqn.ts [--seeds 1,2,3] [--steps 50000] [--engine typed|tfjs] [--config JSON]`
 */
import { DqnAgent } from '../../agents/dqn.ts';
import { parseArgs, prepare, report, train } from './harness.ts';

const RL_ZOO_SCHEDULE = { trainFrequency: 256, gradientSteps: 128 };

const args = parseArgs({ steps: 50_000 });
await prepare(args);
const config = { ...RL_ZOO_SCHEDULE, ...args.config };
const results = args.seeds.map((seed) => train('CartPole-v1', (spaces, s, engine) => new DqnAgent(config, { ...spaces, seed: s, engine }), seed, args));
report('dqn CartPole-v1', results, args);
