/**
 * PPO (categorical) on CartPole-v1 with the default (tuned) PpoConfig; target: last-20 mean return ≥ 475.
 * `npx tsx scripts/learning/cartpole-ppo.ts [--seeds 1,2,3] [--steps 100000] [--engine typed|tfjs]`
 */
import { PpoAgent } from '../../agents/ppo.ts';
import { parseArgs, prepare, report, train } from './harness.ts';

const args = parseArgs({ steps: 100_000 });
await prepare(args);
const results = args.seeds.map((seed) => train('CartPole-v1', (spaces, s, engine) => new PpoAgent(args.config, { ...spaces, seed: s, engine }), seed, args));
report('ppo CartPole-v1', results, args);
