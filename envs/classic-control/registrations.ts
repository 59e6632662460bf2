/**
 * Registers Gymnasium's five classic-control ids with the limits and reward thresholds of
 * gymnasium/envs/__init__.py (v1.3.0). Imported for its side effect by envs/index.ts.
 */
import { register } from '../registration.ts';
import { AcrobotEnv } from './acrobot.ts';
import { CartPoleEnv } from './cart-pole.ts';
import { ContinuousMountainCarEnv } from './continuous-mountain-car.ts';
import { MountainCarEnv } from './mountain-car.ts';
import { PendulumEnv } from './pendulum.ts';

register({
  id: 'CartPole-v1',
  entryPoint: (kwargs) => new CartPoleEnv(kwargs),
  maxEpisodeSteps: 500,
  rewardThreshold: 475.0,
  description: 'Balance a pole on a cart pushed left or right (Barto, Sutton & Anderson 1983).',
});

register({
  id: 'Acrobot-v1',
  entryPoint: (kwargs) => new AcrobotEnv(kwargs),
  maxEpisodeSteps: 500,
  rewardThreshold: -100.0,
  description: 'Swing the tip of a two-link pendulum above the bar by torquing the middle joint.',
});

register({
  id: 'MountainCar-v0',
  entryPoint: (kwargs) => new MountainCarEnv(kwargs),
  maxEpisodeSteps: 200,
  rewardThreshold: -110.0,
  description: 'Drive an underpowered car up a hill by rocking it (Moore 1990), discrete pushes.',
});

register({
  id: 'MountainCarContinuous-v0',
  entryPoint: (kwargs) => new ContinuousMountainCarEnv(kwargs),
  maxEpisodeSteps: 999,
  rewardThreshold: 90.0,
  description: 'Mountain car with a continuous force in [-1, 1] and an energy penalty.',
});

register({
  id: 'Pendulum-v1',
  entryPoint: (kwargs) => new PendulumEnv(kwargs),
  maxEpisodeSteps: 200,
  description: 'Swing a pendulum up and keep it upright with a bounded torque; never terminates.',
});
