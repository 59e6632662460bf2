/** Gymnasium-style wrappers: one file each, re-exported here. */
export { TimeLimit } from './time-limit.ts';
export { OrderEnforcing, describeAction, invalidActionError } from './order-enforcing.ts';
export { RecordEpisodeStatistics } from './record-episode-statistics.ts';
export type { EpisodeStatistics, RecordEpisodeStatisticsOptions } from './record-episode-statistics.ts';
export { NormalizeObservation } from './normalize-observation.ts';
export type { NormalizeObservationOptions } from './normalize-observation.ts';
export { NormalizeReward } from './normalize-reward.ts';
export type { NormalizeRewardOptions } from './normalize-reward.ts';
export { ClipAction } from './clip-action.ts';
export { RescaleAction } from './rescale-action.ts';
export { TransformObservation } from './transform-observation.ts';
export { TransformReward } from './transform-reward.ts';
export { RunningMeanStd } from './running-mean-std.ts';
export type { RunningMeanStdState } from './running-mean-std.ts';
