/** The network core: contracts, the network factory and its two engines, losses, optimizers, regularizers. */
export * from './types.ts';
export { createNetwork, chooseEngine, type CreateNetworkOptions, type NetworkEngine } from './create-network.ts';
export { TypedNetwork, type TypedNetworkOptions } from './typed/network.ts';
export { createTfjsNetwork, DenseNetwork, type NetworkOptions } from './network.ts';
export { ACTIVATIONS, activate } from './activations.ts';
export { INITIALIZERS, weightDistribution, biasDistribution } from './initializers.ts';
export { layerNormForward, layerNormBackward, LAYER_NORM_EPSILON } from './layer-norm.ts';
export { forwardPass, backwardPass } from './backprop.ts';
export { meanSquaredError, huberLoss, softmaxCrossEntropy, selectByMask, oneHotRows, callLoss, type MaskedLossOptions, type HuberOptions } from './losses.ts';
export { createOptimizer, Adam, Sgd, Obgd, DEFAULT_OPTIMIZER, type OptimizerConfig, type AdamConfig, type SgdConfig, type ObgdConfig, type Optimizer } from './optimizers/index.ts';
export { resolveRegularizers, type RegularizerConfig } from './regularizers.ts';
export type { OptimizerSnapshot } from './state.ts';
