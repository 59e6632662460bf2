/** The network core: contracts, the dense network, losses, optimizers, regularizers. */
export * from './types.ts';
export { createNetwork, DenseNetwork, type NetworkOptions } from './network.ts';
export { ACTIVATIONS, activate } from './activations.ts';
export { INITIALIZERS, weightDistribution, biasDistribution } from './initializers.ts';
export { layerNormForward, layerNormBackward, LAYER_NORM_EPSILON } from './layer-norm.ts';
export { forwardPass, backwardPass } from './backprop.ts';
export { meanSquaredError, huberLoss, softmaxCrossEntropy, selectByMask, oneHotRows } from './losses.ts';
export { createOptimizer, Adam, Sgd, DEFAULT_OPTIMIZER, type OptimizerConfig, type AdamConfig, type SgdConfig, type Optimizer } from './optimizers/index.ts';
export { resolveRegularizers, type RegularizerConfig } from './regularizers.ts';
export type { OptimizerSnapshot } from './state.ts';
