/**
 * Representation probes for the reproductions (algorithms.md §3.1, §3.4): per hidden layer, the
 * fraction of dead units (exactly 0 on every probe sample, Dohare's definition) and the effective
 * rank of the [samples × units] post-activation matrix (Roy & Vetterli 2007), as
 * `lop/utils/miscellaneous.py: compute_effective_rank` computes them on 2000 examples.
 */
import type { Network } from '../../src/nn/types.ts';
import { activationMatrix, deadUnits, effectiveRank, singularValues } from '../../monitoring/metrics/index.ts';

export interface LayerProbe {
  deadFraction: number;
  effectiveRank: number;
}

export function probeLayers(network: Network, inputs: Float32Array, samples: number): LayerProbe[] {
  const { activations } = network.forwardWithActivations(inputs, samples);
  return activations.map((data, l) => {
    const units = network.hiddenLayers[l].units;
    const matrix = activationMatrix(data, samples, units);
    return { deadFraction: deadUnits(matrix).fraction, effectiveRank: effectiveRank(singularValues(matrix)) };
  });
}
