/** Both network engines behind one factory, so a test file can run its cases on each. */
import { createTfjsNetwork, type DenseNetwork, type NetworkOptions } from '../../src/nn/network.ts';
import { TypedNetwork } from '../../src/nn/typed/network.ts';
import type { NetworkSpec } from '../../src/nn/types.ts';

export type Engine = 'tfjs' | 'typed';
export const ENGINES: readonly Engine[] = ['tfjs', 'typed'];
export type AnyNetwork = DenseNetwork | TypedNetwork;

export function networkOn(engine: Engine, spec: NetworkSpec, options: NetworkOptions = {}): AnyNetwork {
  return engine === 'tfjs' ? createTfjsNetwork(spec, options) : new TypedNetwork(spec, options);
}
