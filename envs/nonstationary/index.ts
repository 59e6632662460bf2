/** Nonstationary wrappers: drifting physics, permuted observations and actions, reward shifts. */
export { DriftingPhysics } from './drifting-physics.ts';
export type { DriftingPhysicsOptions, PhysicsDrift } from './drifting-physics.ts';
export { PermutedObservations } from './permuted-observations.ts';
export type { PermutedObservationsOptions } from './permuted-observations.ts';
export { PermutedActions } from './permuted-actions.ts';
export type { PermutedActionsOptions } from './permuted-actions.ts';
export { RewardShift } from './reward-shift.ts';
export type { RewardShiftOptions } from './reward-shift.ts';
export { NonstationaryWrapper } from './nonstationary-wrapper.ts';
export type { NonstationaryState } from './nonstationary-wrapper.ts';
export type { ListOrder, NonstationaryOptions, ScheduleOptions, ShiftInfo, ShiftKind, ShiftParams } from './shift.ts';
