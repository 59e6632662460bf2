/**
 * DQN on CartPole-v1; target: greedy mean return ≥ 475 over 20 episodes, for every seed.
 * Presets: `rl-zoo` (default; rl-zoo's tuned settings — 50k steps, 128 updates every 256 steps, net
 * 256×256 — with the MSE TD loss, as CleanRL, and the learning rate decayed linearly to 0 over the
 * run, which makes the final policy reliable; see docs/results/agents-learning.md), `sb3` (rl-zoo's
 * settings as SB3 runs them: Huber loss, gradient norm clipped at 10, constant learning rate) and
 * `cleanrl` (CleanRL dqn.py's CartPole settings, CARTPOLE_DQN_CONFIG, 500k steps).
 * `npx tsx scripts/learning/cartpole-dqn.ts [--preset rl-zoo|cleanrl] [--seeds 1,2,3] [--steps N]
 *   [--eval-every N] [--engine typed|tfjs] [--config JSON] [--json out.json]`
 */
import { CARTPOLE_DQN_CONFIG, DqnAgent, type DqnConfig } from '../../agents/dqn.ts';
import { parseArgs, prepare, report, train } from './harness.ts';

const RL_ZOO: Partial<DqnConfig> = { hidden: [256, 256], trainFrequency: 256, gradientSteps: 128, targetUpdateInterval: 128, explorationSteps: 8_000, endEpsilon: 0.04 };

/** `decayOverRun`: the learning rate decays to 0 over the run's --steps. */
const PRESETS: Record<string, { steps: number; config: Partial<DqnConfig>; decayOverRun?: boolean }> = {
  cleanrl: { steps: 500_000, config: CARTPOLE_DQN_CONFIG },
  'rl-zoo': { steps: 50_000, config: { ...RL_ZOO, tdLoss: 'mse' }, decayOverRun: true },
  sb3: { steps: 50_000, config: { ...RL_ZOO, tdLoss: 'huber', maxGradNorm: 10 } },
};

const argv = process.argv.slice(2);
const presetName = argv.includes('--preset') ? argv[argv.indexOf('--preset') + 1] : 'rl-zoo';
const preset = PRESETS[presetName];
if (!preset) throw new Error(`unknown --preset ${presetName}; expected one of ${Object.keys(PRESETS).join(', ')}`);
const args = parseArgs({ steps: preset.steps });
await prepare(args);
const config = { ...preset.config, ...(preset.decayOverRun ? { learningRateAnnealSteps: args.steps } : {}), ...args.config };
const results = args.seeds.map((seed) => train('CartPole-v1', (spaces, s, engine) => new DqnAgent(config, { ...spaces, seed: s, engine }), seed, args));
report(`dqn CartPole-v1 (${presetName})`, results, args, 475);
