/**
 * The config `npm start` runs when no file is given: the same learners side by side on
 * nonstationary problems, once without resets and once with GXD-ranked continual backprop resets
 * (algorithms.md §2), so the live page and /metrics show plasticity being lost and restored within
 * minutes on two cores: DQN on CartPole whose pole length drifts every 3k steps, and the continual
 * learner of Dohare et al. on bit-flipping (a slow bit flips every 10k examples, the paper's value).
 * Window lengths are sized to the agents' speed so the run log and the live page stay small: the
 * bit-flipping learner runs at ≈45k examples/s, so a window is 50k examples (≈1 s, five tasks) rather
 * than one task; a DQN window is one drift period (3k steps). At those speeds the run log grows by
 * roughly 0.1–0.6 MB/min per agent (docs/configuration.md, "Choosing window lengths"). Cheap
 * monitor settings keep the window metrics off the critical path.
 */
import type { DaemonConfigInput } from './daemon-config.ts';

const NO_RESETS = { kind: 'none' } as const;
const GXD_RESETS = { kind: 'replacement-rate', criterion: 'gxd', replacementRate: 1e-4, maturityThreshold: 100 } as const;

const MONITOR = { probeSize: 256, audit: { everyWindows: 10, units: 16 }, curvature: { everyWindows: 5, samples: 4 } } as const;

const dqn = (id: string, resetPolicy: object, description: string) => ({
  id,
  description,
  seed: 1,
  windowLength: 3000,
  env: { id: 'plasticd/DriftingCartPole-v1', kwargs: { every: 3000 } },
  agent: { kind: 'dqn', hidden: [64, 64], learningStarts: 500, explorationSteps: 5000, bufferSize: 10_000, trainFrequency: 4, targetUpdateInterval: 250 },
  networks: { engine: 'typed' },
  monitor: { ...MONITOR, resetPolicy },
});

const continual = (id: string, resetPolicy: object, description: string) => ({
  id,
  description,
  seed: 1,
  windowLength: 50_000,
  stream: { id: 'bit-flipping', options: { flipAfter: 10_000 } },
  agent: { kind: 'continual', hiddenUnits: [5] },
  networks: { engine: 'typed' },
  monitor: { ...MONITOR, resetPolicy },
});

export const DEFAULT_CONFIG: DaemonConfigInput = {
  dataDir: './plasticd-data',
  host: '127.0.0.1',
  port: 8420,
  backend: 'auto',
  checkpointEverySeconds: 60,
  logLevel: 'info',
  agents: [
    dqn('cartpole-drift-plain', NO_RESETS, 'DQN on CartPole with the pole length redrawn every 3k steps; no resets.'),
    dqn('cartpole-drift-gxd', GXD_RESETS, 'The same DQN with continual backprop resets ranked by GXD.'),
    continual('bits-plain', NO_RESETS, 'Continual learner on bit-flipping (a slow bit flips every 10k examples); plain SGD.'),
    continual('bits-gxd', GXD_RESETS, 'The same learner with GXD-ranked continual backprop resets.'),
  ] as DaemonConfigInput['agents'],
};
