/**
 * Validation of a NetworkSpec and the per-layer plan the network is built from (names, sizes,
 * activation, initialiser, LayerNorm, dropout), hidden layers first, then the output layer. The
 * default initialiser is PyTorch's nn.Linear default (torch_default), like the reference code.
 */
import { PlasticdError } from '../util/errors.ts';
import { ACTIVATIONS } from './activations.ts';
import { INITIALIZERS } from './initializers.ts';
import type { Activation, Initializer, NetworkSpec } from './types.ts';

export const OUTPUT_LAYER_NAME = 'output';

export interface LayerPlan {
  index: number;
  name: string;
  fanIn: number;
  fanOut: number;
  activation: Activation;
  init: Initializer;
  layerNorm: boolean;
  dropout: number;
}

function fail(message: string): never {
  throw new PlasticdError('nn_invalid_spec', message);
}

function checkCount(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) fail(`${what} must be a positive integer, got ${value}.`);
}

export function planLayers(spec: NetworkSpec): LayerPlan[] {
  if (typeof spec.name !== 'string' || spec.name.length === 0) fail('The network needs a non-empty name.');
  checkCount(spec.inputSize, 'inputSize');
  checkCount(spec.outputSize, 'outputSize');
  if (!Number.isFinite(spec.seed)) fail(`seed must be a finite number, got ${spec.seed}.`);
  const defaultInit = spec.init ?? 'torch_default';
  const checkInit = (init: Initializer, where: string): void => {
    if (!INITIALIZERS.includes(init)) fail(`${where}: unknown initialiser "${init}"; expected one of ${INITIALIZERS.join(', ')}.`);
  };
  const checkActivation = (activation: Activation, where: string): void => {
    if (!ACTIVATIONS.includes(activation)) fail(`${where}: unknown activation "${activation}"; expected one of ${ACTIVATIONS.join(', ')}.`);
  };
  checkInit(defaultInit, 'spec.init');
  const names = new Set<string>([OUTPUT_LAYER_NAME]);
  let fanIn = spec.inputSize;
  const plans: LayerPlan[] = spec.hidden.map((layer, index) => {
    const name = layer.name ?? `hidden${index}`;
    const where = `hidden layer ${index} (${name})`;
    if (names.has(name)) fail(`${where}: the layer name "${name}" is used twice (or is the reserved "${OUTPUT_LAYER_NAME}").`);
    names.add(name);
    checkCount(layer.units, `${where} units`);
    checkActivation(layer.activation, where);
    const init = layer.init ?? defaultInit;
    checkInit(init, where);
    const dropout = layer.dropout ?? 0;
    if (!(dropout >= 0 && dropout < 1)) fail(`${where}: dropout must be in [0, 1), got ${dropout}.`);
    const plan: LayerPlan = { index, name, fanIn, fanOut: layer.units, activation: layer.activation, init, layerNorm: layer.layerNorm ?? false, dropout };
    fanIn = layer.units;
    return plan;
  });
  const outputActivation = spec.outputActivation ?? 'linear';
  checkActivation(outputActivation, 'outputActivation');
  plans.push({
    index: plans.length,
    name: OUTPUT_LAYER_NAME,
    fanIn,
    fanOut: spec.outputSize,
    activation: outputActivation,
    init: defaultInit,
    layerNorm: false,
    dropout: 0,
  });
  return plans;
}

/** Same architecture (what a state can be restored into): sizes, LayerNorm placement. */
export function sameArchitecture(a: NetworkSpec, b: NetworkSpec): boolean {
  return (
    a.inputSize === b.inputSize &&
    a.outputSize === b.outputSize &&
    a.hidden.length === b.hidden.length &&
    a.hidden.every((layer, i) => layer.units === b.hidden[i].units && (layer.layerNorm ?? false) === (b.hidden[i].layerNorm ?? false))
  );
}
