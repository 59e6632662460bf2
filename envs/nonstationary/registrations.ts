/**
 * Registers the ready-made nonstationary ids (`plasticd/…`): a classic-control env with one
 * nonstationary wrapper applied OUTSIDE TimeLimit (as `additionalWrappers`), so the wrapper sees
 * truncations as episode ends. Defaults give about ten regimes in a 200k-step run, like Slippery
 * Ant's ten frictions in 20M steps (algorithms.md §4.6). kwargs such as `{every, seed, values}`
 * override the defaults through `make(id, {kwargs})`; other kwargs go to the base env.
 * No normalisation is included: a NormalizeObservation/NormalizeReward stacked outside keeps its
 * statistics across shifts (ecosystem.md §2.5); a caller that wants them reset watches `info.shift`.
 * Seeding: the wrapper's RNG follows reset({seed}) (mixed with the `seed` kwarg when given), so the
 * sub-envs of a vector env (reset with seeds s + i) each draw their own regimes.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import type { Env } from '../core.ts';
import { register } from '../registration.ts';
import { AcrobotEnv } from '../classic-control/acrobot.ts';
import { CartPoleEnv } from '../classic-control/cart-pole.ts';
import { PendulumEnv } from '../classic-control/pendulum.ts';
import { AntEnv } from '../mujoco/ant.ts';
import { DriftingPhysics } from './drifting-physics.ts';
import { PermutedActions } from './permuted-actions.ts';
import { PermutedObservations } from './permuted-observations.ts';
import { RewardShift } from './reward-shift.ts';
import {
  WRAPPER_KWARGS,
  driftingPhysicsOptions,
  envKwargs,
  permutedActionsOptions,
  permutedObservationsOptions,
  resolveAlternatives,
  rewardShiftOptions,
} from './kwargs.ts';
import type { ShiftKind } from './shift.ts';

interface NonstationaryRegistration {
  id: string;
  kind: ShiftKind;
  /** Builds the base env from the kwargs that are not the wrapper's. */
  base: (kwargs: Record<string, unknown>) => Env<any, any>;
  maxEpisodeSteps: number;
  rewardThreshold?: number;
  defaults: Record<string, unknown>;
  description: string;
}

/** Validates the wrapper's kwargs (errors name the id and key) and builds the wrapper. */
function buildWrapper(r: NonstationaryRegistration, env: Env<any, any>, merged: Record<string, unknown>): Env<any, any> {
  const kwargs = resolveAlternatives(merged, r.defaults);
  try {
    switch (r.kind) {
      case 'physics':
        return new DriftingPhysics(env, driftingPhysicsOptions(r.id, kwargs));
      case 'observation-permutation':
        return new PermutedObservations(env, permutedObservationsOptions(r.id, kwargs));
      case 'action-permutation':
        return new PermutedActions(env, permutedActionsOptions(r.id, kwargs));
      case 'reward':
        return new RewardShift(env, rewardShiftOptions(r.id, kwargs));
    }
  } catch (error) {
    if (!(error instanceof PlasticdError) || error.message.startsWith(`${r.id}:`)) throw error;
    throw new PlasticdError(error.code, `${r.id}: ${error.message}`, error.details);
  }
}

function registerNonstationary(r: NonstationaryRegistration): void {
  register({
    id: r.id,
    maxEpisodeSteps: r.maxEpisodeSteps,
    ...(r.rewardThreshold === undefined ? {} : { rewardThreshold: r.rewardThreshold }),
    kwargs: r.defaults,
    description: r.description,
    entryPoint: (merged) => {
      const kwargs = resolveAlternatives(merged, r.defaults);
      // Check the wrapper's kwargs before building anything, so a bad one fails fast with the id.
      const options = { physics: driftingPhysicsOptions, 'observation-permutation': permutedObservationsOptions, 'action-permutation': permutedActionsOptions, reward: rewardShiftOptions }[r.kind];
      options(r.id, kwargs);
      try {
        return r.base(envKwargs(r.kind, kwargs));
      } catch (error) {
        if (error instanceof PlasticdError && error.code === 'invalid_kwargs') {
          throw new PlasticdError('invalid_kwargs', `${r.id}: ${error.message}; the ${r.kind} wrapper also takes ${WRAPPER_KWARGS[r.kind].join(', ')}`);
        }
        throw error;
      }
    },
    additionalWrappers: [(env, merged) => buildWrapper(r, env, merged)],
  });
}

registerNonstationary({
  id: 'plasticd/DriftingCartPole-v1',
  kind: 'physics',
  base: (kwargs) => new CartPoleEnv(kwargs),
  maxEpisodeSteps: 500,
  rewardThreshold: 475,
  defaults: { every: 20_000, parameter: 'length', low: 0.25, high: 2 },
  description:
    'CartPole-v1 whose (half) pole length is redrawn log-uniformly in [0.25, 2] (default 0.5) every 20k steps; kwargs: every | everyAtEpisodeEnd, seed, parameter with values/order or low/high (relative), or parameters.',
});

registerNonstationary({
  id: 'plasticd/SlipperyCartPole-v1',
  kind: 'physics',
  base: (kwargs) => new CartPoleEnv(kwargs),
  maxEpisodeSteps: 500,
  rewardThreshold: 475,
  defaults: { everyAtEpisodeEnd: 20_000, parameter: 'forceMag', low: 2.5, high: 20 },
  description:
    "CartPole-v1 with Slippery Ant's schedule: the push force (traction) is redrawn log-uniformly in [2.5, 20] N (default 10) at the first episode end after 20k steps since the last change.",
});

registerNonstationary({
  id: 'plasticd/PermutedCartPole-v1',
  kind: 'observation-permutation',
  base: (kwargs) => new CartPoleEnv(kwargs),
  maxEpisodeSteps: 500,
  rewardThreshold: 475,
  defaults: { every: 20_000, flipSigns: false },
  description: 'CartPole-v1 whose 4 observation elements are freshly permuted every 20k steps (flipSigns: true also negates random elements).',
});

registerNonstationary({
  id: 'plasticd/DriftingPendulum-v1',
  kind: 'physics',
  base: (kwargs) => new PendulumEnv(kwargs),
  maxEpisodeSteps: 200,
  defaults: { every: 20_000, parameters: { g: { low: 5, high: 20 }, m: { low: 0.5, high: 2 } } },
  description: 'Pendulum-v1 whose gravity g (default 10) and mass m (default 1) are redrawn log-uniformly in [5, 20] and [0.5, 2] every 20k steps.',
});

registerNonstationary({
  id: 'plasticd/FlippingRewardPendulum-v1',
  kind: 'reward',
  base: (kwargs) => new PendulumEnv(kwargs),
  maxEpisodeSteps: 200,
  defaults: { every: 20_000, values: [-1, 1] },
  description:
    'Pendulum-v1 whose reward flips sign every 20k steps: keep the pendulum upright and still, then spin it as far from upright and as fast as possible, then upright again.',
});

registerNonstationary({
  id: 'plasticd/PermutedActionsAcrobot-v1',
  kind: 'action-permutation',
  base: (kwargs) => new AcrobotEnv(kwargs),
  maxEpisodeSteps: 500,
  rewardThreshold: -100,
  defaults: { every: 20_000 },
  description: 'Acrobot-v1 whose three torque actions (-1, 0, +1) are freshly permuted every 20k steps.',
});

registerNonstationary({
  id: 'plasticd/SlipperyAnt-v5',
  kind: 'physics',
  base: (kwargs) => new AntEnv(kwargs),
  maxEpisodeSteps: 1000,
  rewardThreshold: 6000,
  defaults: { everyAtEpisodeEnd: 2_000_000, parameter: 'friction', low: 0.02, high: 2 },
  description:
    "Slippery Ant (Dohare et al. 2024): Ant-v5 whose friction (every geom's sliding friction, default 1) is redrawn log-uniformly in [0.02, 2] at the first episode end after 2M steps since the last change (needs await loadMujoco()).",
});
