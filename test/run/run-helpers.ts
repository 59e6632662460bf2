/**
 * Shared by the run tests and the agent contract test: small specs for every agent kind, a fixed
 * clock, event collection, a checkpoint-codec round trip, and bit-exact parameter snapshots.
 */
import { decodeCheckpoint, encodeCheckpoint } from '../../src/daemon/store/checkpoint-codec.ts';
import { AgentRun } from '../../src/run/agent-run.ts';
import type { AgentRunOptions } from '../../src/run/agent-run.ts';
import type { RunEvent } from '../../src/run/events.ts';

export const FIXED_TIME = 1_700_000_000_000;

/** Cheap monitor settings: short windows, small probe, audit and curvature on small batches. */
export const TEST_MONITOR = {
  probeSize: 64,
  audit: { everyWindows: 2, units: 4 },
  curvature: { everyWindows: 2, samples: 4 },
  resetPolicy: { replacementRate: 1e-3, maturityThreshold: 50 },
};

export interface AgentCase {
  name: string;
  spec: Record<string, any>;
}

/** One case per agent kind (and per action-space kind for PPO), with small networks. */
export function agentCases(engine: 'typed' | 'tfjs' = 'typed'): AgentCase[] {
  const base = (id: string) => ({ id, seed: 7, windowLength: 250, monitor: TEST_MONITOR, networks: { engine, hidden: [16, 16] } });
  return [
    {
      name: 'DQN on CartPole',
      spec: {
        ...base('dqn-cartpole'),
        env: { id: 'CartPole-v1' },
        agent: { kind: 'dqn', learningStarts: 200, batchSize: 32, trainFrequency: 2, gradientSteps: 1, targetUpdateInterval: 50, bufferSize: 2000, explorationSteps: 1000 },
      },
    },
    {
      name: 'PPO (discrete) on CartPole',
      spec: { ...base('ppo-cartpole'), env: { id: 'CartPole-v1' }, agent: { kind: 'ppo', numSteps: 128, numMinibatches: 4, updateEpochs: 2 } },
    },
    {
      name: 'PPO (continuous) on Pendulum',
      spec: { ...base('ppo-pendulum'), env: { id: 'Pendulum-v1' }, agent: { kind: 'ppo', numSteps: 128, numMinibatches: 4, updateEpochs: 2, entropyCoef: 0 } },
    },
    {
      name: 'stream AC on CartPole',
      spec: { ...base('stream-ac-cartpole'), env: { id: 'CartPole-v1' }, agent: { kind: 'stream-ac' } },
    },
    {
      name: 'continual learner on bit-flipping',
      spec: { ...base('continual-bits'), stream: { id: 'bit-flipping', options: { flipAfter: 400 } }, agent: { kind: 'continual' } },
    },
  ];
}

export interface CollectingRun {
  run: AgentRun;
  events: RunEvent[];
}

/** An AgentRun with a fixed clock whose events land in `events`. */
export function startRun(spec: unknown, options: Partial<AgentRunOptions> = {}): CollectingRun {
  const events: RunEvent[] = [];
  const run = new AgentRun({
    spec,
    clock: () => FIXED_TIME,
    clockSeconds: () => 0,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { run, events };
}

/** Encodes a payload with the checkpoint codec and decodes it again (typed arrays survive bit for bit). */
export async function codecRoundTrip<T>(payload: T): Promise<T> {
  const chunks: Uint8Array[] = [];
  await encodeCheckpoint(payload, { agent: 'test', id: 'ckpt-000000001', step: 0, eventSeq: 0, time: FIXED_TIME }, {
    write: async (chunk) => {
      chunks.push(Uint8Array.from(chunk));
    },
  });
  return decodeCheckpoint(Buffer.concat(chunks), 'memory').payload as T;
}

/** The bytes of the whole run state, for bit-for-bit comparisons. */
export async function stateBytes(run: AgentRun): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  await encodeCheckpoint(run.state(), { agent: 'test', id: 'ckpt-000000001', step: 0, eventSeq: 0, time: FIXED_TIME }, {
    write: async (chunk) => {
      chunks.push(Uint8Array.from(chunk));
    },
  });
  return Buffer.concat(chunks);
}

/** Every parameter of every network of the agent, as raw bytes keyed by network/layer/tensor. */
export function parameterBytes(run: AgentRun): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const network of Object.values(run.agent.networks())) {
    for (const layer of network.layerWeights()) {
      const tensors: Record<string, Float32Array | undefined> = {
        weight: layer.weight,
        bias: layer.bias,
        layerNormGain: layer.layerNormGain,
        layerNormBias: layer.layerNormBias,
      };
      for (const [name, tensor] of Object.entries(tensors)) {
        if (tensor) out[`${network.name}/${layer.name}/${name}`] = Buffer.from(tensor.buffer, tensor.byteOffset, tensor.byteLength);
      }
    }
  }
  return out;
}
