/**
 * Gymnasium's five classic-control envs (ported bit for bit from Gymnasium 1.x) and the helpers
 * they share. Registration under Gymnasium's ids lives in ./registrations.ts.
 */
export { CartPoleEnv } from './cart-pole.ts';
export type { CartPoleIntegrator, CartPoleKwargs, CartPoleSnapshot } from './cart-pole.ts';
export { AcrobotEnv } from './acrobot.ts';
export type { AcrobotDynamics, AcrobotKwargs } from './acrobot.ts';
export { MountainCarEnv } from './mountain-car.ts';
export type { MountainCarKwargs } from './mountain-car.ts';
export { ContinuousMountainCarEnv } from './continuous-mountain-car.ts';
export type { ContinuousAction, ContinuousMountainCarKwargs, ContinuousMountainCarSnapshot } from './continuous-mountain-car.ts';
export { PendulumEnv, angleNormalize } from './pendulum.ts';
export type { PendulumAction, PendulumKwargs } from './pendulum.ts';
export { maybeParseResetBounds, verifyNumberAndCast } from './reset-bounds.ts';
export type { ClassicEnvSnapshot, Float32Box } from './checks.ts';
