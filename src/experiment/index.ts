/** Experiments: a sweep file → runs in worker threads → summary.csv, plots and report.md. */
export { experimentCommand, canonicalCommand } from './command.ts';
export type { ExperimentCommandOptions } from './command.ts';
export { loadExperimentFile, parseExperimentFile, experimentFileSchema } from './schema.ts';
export type { ExperimentFile, Phase } from './schema.ts';
export { resolveExperiment, defaultPhases } from './resolve.ts';
export type { ResolvedExperiment, ResolvedRun } from './resolve.ts';
export { expandGrid, deepMerge, seedList } from './grid.ts';
export type { PlannedRun, GridValue } from './grid.ts';
export { runExperiment, prepareOutput, readDoneMarker, runDirectory } from './runner.ts';
export type { ExperimentRunOptions, ExperimentRunResult, DoneMarker } from './runner.ts';
export { writeReport } from './report.ts';
export { createProgress, silentProgress } from './progress.ts';
export type { ProgressReporter } from './progress.ts';
