/**
 * PPO (Gaussian policy) on Pendulum-v1 with CONTINUOUS_PPO_CONFIG; target: greedy (mean-action)
 * mean return ≥ −200 over 20 episodes, for every seed (the last-20 training mean, with sampled
 * actions, is printed next to it).
 * `npx tsx scripts/learning/pendulum-ppo.ts [--seeds 1,2,3] [--steps 400000] [--eval-every N] [--engine typed|tfjs] [--config JSON] [--json out.json]`
 */
import { CONTINUOUS_PPO_CONFIG, PpoAgent } from '../../agents/ppo.ts';
import { parseArgs, prepare, report, train } from './harness.ts';

const args = parseArgs({ steps: 400_000 });
await prepare(args);
const config = { ...CONTINUOUS_PPO_CONFIG, ...args.config };
const results = args.seeds.map((seed) => train('Pendulum-v1', (spaces, s, engine) => new PpoAgent(config, { ...spaces, seed: s, engine }), seed, args));
report('ppo Pendulum-v1', results, args, -200);
