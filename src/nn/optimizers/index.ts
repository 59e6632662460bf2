/** Optimizers with per-element state: build one from its config. */
import { Adam } from './adam.ts';
import { Sgd } from './sgd.ts';
import type { Optimizer, OptimizerConfig } from './optimizer.ts';

export function createOptimizer(config: OptimizerConfig, size: number): Optimizer {
  return config.kind === 'sgd' ? new Sgd(config, size) : new Adam(config, size);
}

export { Adam } from './adam.ts';
export { Sgd } from './sgd.ts';
export * from './optimizer.ts';
