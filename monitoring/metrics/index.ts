/** The window-level plasticity metrics (algorithms.md §3): pure functions of one probe batch or weight snapshot. */
export * from './activation-matrix.ts';
export * from './curvature.ts';
export * from './dead-units.ts';
export * from './dormant-units.ts';
export * from './duplicate-units.ts';
export * from './effective-rank.ts';
export * from './gram-matrix.ts';
export * from './layer-report.ts';
export * from './participation-ratio.ts';
export * from './saturated-units.ts';
export * from './singular-values.ts';
export * from './spectrum.ts';
export * from './srank.ts';
export * from './stable-rank.ts';
export * from './symmetric-eigenvalues.ts';
export * from './weight-metrics.ts';
