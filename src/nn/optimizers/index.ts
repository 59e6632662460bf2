/** Optimizers with per-element state: build one from its config. */
import { Adam } from './adam.ts';
import { Obgd } from './obgd.ts';
import { Sgd } from './sgd.ts';
import type { Optimizer, OptimizerConfig } from './optimizer.ts';

export function createOptimizer(config: OptimizerConfig, size: number): Optimizer {
  switch (config.kind) {
    case 'sgd':
      return new Sgd(config, size);
    case 'obgd':
      return new Obgd(config, size);
    default:
      return new Adam(config, size);
  }
}

export { Adam } from './adam.ts';
export { Obgd } from './obgd.ts';
export { Sgd } from './sgd.ts';
export * from './optimizer.ts';
