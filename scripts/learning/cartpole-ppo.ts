/**
 * PPO (categorical) on CartPole-v1 with the default PpoConfig; target: greedy mean return ≥ 475
 * over 20 episodes, for every seed (the last-20 training mean is printed next to it).
 * `npx tsx scripts/learning/cartpole-ppo.ts [--seeds 1,2,3] [--steps 100000] [--eval-every N] [--engine typed|tfjs] [--config JSON] [--json out.json]`
 */
import { PpoAgent } from '../../agents/ppo.ts';
import { parseArgs, prepare, report, train } from './harness.ts';

const args = parseArgs({ steps: 100_000 });
await prepare(args);
const results = args.seeds.map((seed) => train('CartPole-v1', (spaces, s, engine) => new PpoAgent(args.config, { ...spaces, seed: s, engine }), seed, args));
report('ppo CartPole-v1', results, args, 475);
