/**
 * PPO (Gaussian policy) on Pendulum-v1 with CONTINUOUS_PPO_CONFIG; target: last-20 mean return ≥ −200.
 * `npx tsx scripts/learning/pendulum-ppo.ts [--seeds 1,2,3] [--steps 200000] [--engine typed|tfjs] [--config JSON]`
 */
import { CONTINUOUS_PPO_CONFIG, PpoAgent } from '../../agents/ppo.ts';
import { parseArgs, prepare, report, train } from './harness.ts';

const args = parseArgs({ steps: 200_000 });
await prepare(args);
const config = { ...CONTINUOUS_PPO_CONFIG, ...args.config };
const results = args.seeds.map((seed) => train('Pendulum-v1', (spaces, s, engine) => new PpoAgent(config, { ...spaces, seed: s, engine }), seed, args));
report('ppo Pendulum-v1', results, args);
