/**
 * The methods the reproduction scripts compare, with the values the reference code uses for each
 * benchmark (algorithms.md §2.2, §2.4, §2.6, §2.7, §4.1, §4.2), and `ResetDriver`, the per-step
 * reset loop the monitor runs (UnitTracker → policy → applyResets) as `AgentHooks`.
 * CBP follows gnt.py: utility centred on the running mean ā, but resets transfer nothing into the
 * next bias (gnt.py's bias correction is a no-op, §2.2.3 step 8). GXD uses r = ā with bias transfer.
 */
import type { AgentHooks } from '../../agents/agent.ts';
import type { Network, StepTrace } from '../../src/nn/types.ts';
import type { OptimizerConfig, RegularizerConfig } from '../../src/nn/index.ts';
import { Rng } from '../../src/util/rng.ts';
import { UnitTracker, applyResets, createResetPolicy } from '../../monitoring/reset/index.ts';
import type { ResetPolicy, ResetPolicyConfig, ReferenceMode, UnitTrackerState } from '../../monitoring/reset/index.ts';
import type { CriterionName } from '../../monitoring/utilities/index.ts';

export const METHOD_NAMES = ['bp', 'l2', 'snp', 'cbp', 'gxd', 'redo'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export interface ResetSetup {
  criterion: CriterionName;
  /** The tracker's reference: r for GXD and the centre of |a − r| for CBP's utilities. */
  reference: ReferenceMode;
  /** Move ā into the next layer's bias at reset (GXD); CBP's code effectively does not. */
  biasTransfer: boolean;
  policy: ResetPolicyConfig;
}

export interface MethodSetup {
  name: MethodName;
  /** One line for tables: what runs, with its values. */
  summary: string;
  optimizer: OptimizerConfig;
  regularizers: RegularizerConfig;
  reset: ResetSetup | null;
}

export type Benchmark = 'bit-flipping' | 'permuted-mnist';

/** The setup of `method` on `benchmark`, from the reference configs (see each line's comment). */
export function methodSetup(method: MethodName, benchmark: Benchmark): MethodSetup {
  const learningRate = benchmark === 'bit-flipping' ? 0.01 : 0.003;
  // SCR (gnt.py, accumulate False): Bernoulli draws below one replacement; permuted MNIST cfg: accumulate true.
  const accumulate = benchmark === 'permuted-mnist';
  const sgd = (weightDecay = 0): OptimizerConfig => ({ kind: 'sgd', learningRate, weightDecay });
  switch (method) {
    case 'bp':
      return { name: method, summary: `SGD ${learningRate}`, optimizer: sgd(), regularizers: {}, reset: null };
    case 'l2': {
      // §2.7/§4.1: the reference sweeps λ; 1e-2 is the decay its S&P cfgs fix (SCR relu_snp.json), so L2 vs S&P isolates the noise.
      const weightDecay = benchmark === 'bit-flipping' ? 1e-2 : 1e-4;
      return { name: method, summary: `SGD ${learningRate}, coupled L2 λ=${weightDecay}`, optimizer: sgd(weightDecay), regularizers: {}, reset: null };
    }
    case 'snp': {
      // §2.6 Dohare's S&P: coupled decay λ (SCR 1e-2, MNIST 1e-4) plus N(0, σ²) on every parameter after every step; σ from the swept range.
      const weightDecay = benchmark === 'bit-flipping' ? 1e-2 : 1e-4;
      const noiseStd = benchmark === 'bit-flipping' ? 1e-3 : 1e-5;
      return {
        name: method,
        summary: `SGD ${learningRate}, λ=${weightDecay}, σ=${noiseStd}`,
        optimizer: sgd(weightDecay),
        regularizers: { shrinkPerturb: { shrink: 1, noiseStd } },
        reset: null,
      };
    }
    case 'cbp':
      return {
        name: method,
        summary: `ρ=1e-4, m=100, η=0.99, adaptable contribution, no bias transfer${accumulate ? ', accumulate' : ''}`,
        optimizer: sgd(),
        regularizers: {},
        reset: {
          criterion: 'adaptable-contribution',
          reference: 'running-mean',
          biasTransfer: false,
          policy: { kind: 'replacement-rate', replacementRate: 1e-4, maturityThreshold: 100, accumulate },
        },
      };
    case 'gxd':
      return {
        name: method,
        summary: `ρ=1e-4, m=100, η=0.99, GXD-L with r=ā and bias transfer${accumulate ? ', accumulate' : ''}`,
        optimizer: sgd(),
        regularizers: {},
        reset: {
          criterion: 'gxd',
          reference: 'running-mean',
          biasTransfer: true,
          policy: { kind: 'replacement-rate', replacementRate: 1e-4, maturityThreshold: 100, accumulate },
        },
      };
    case 'redo':
      // §2.4: τ = 0.025, F = 1000, no maturity protection; scores smoothed over steps (batch size 1) instead of one batch.
      return {
        name: method,
        summary: 'τ=0.025 every 1000 updates, activation score, no bias transfer',
        optimizer: sgd(),
        regularizers: {},
        reset: {
          criterion: 'redo',
          reference: 'zero',
          biasTransfer: false,
          policy: { kind: 'threshold', threshold: 0.025, every: 1000, maturityThreshold: 0 },
        },
      };
  }
}

export function parseMethods(list: string): MethodName[] {
  const names = list.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!(METHOD_NAMES as readonly string[]).includes(name)) throw new Error(`unknown method '${name}'; expected ${METHOD_NAMES.join(', ')}`);
  }
  return names as MethodName[];
}

/**
 * The monitor's per-step reset loop as agent hooks: the tracker's reference goes into each step,
 * each trace updates the tracker, and the policy's resets are applied before the next step.
 * Attach the network once the agent has built it.
 */
export interface ResetDriverState {
  tracker: UnitTrackerState;
  resetsPerLayer: number[];
}

export class ResetDriver implements AgentHooks {
  private tracker: UnitTracker | null = null;
  private network: Network | null = null;
  private readonly policy: ResetPolicy;
  /** Units reset per hidden layer so far. */
  resetsPerLayer: number[] = [];

  constructor(
    private readonly setup: ResetSetup,
    private readonly rng: Rng,
  ) {
    this.policy = createResetPolicy(setup.policy);
  }

  attach(network: Network): void {
    this.network = network;
    this.tracker = UnitTracker.forNetwork(network, this.rng, {
      decay: 0.99,
      reference: this.setup.reference,
      criterion: this.setup.criterion,
      criteria: [this.setup.criterion],
    });
    this.resetsPerLayer = network.hiddenLayers.map(() => 0);
  }

  references(): ReadonlyArray<Float32Array | null> | undefined {
    return this.tracker?.references();
  }

  onTrace(trace: StepTrace): void {
    const tracker = this.tracker!;
    tracker.update(trace);
    let events = tracker.selectResets(this.policy);
    if (events.length === 0) return;
    if (!this.setup.biasTransfer) events = events.map((event) => ({ ...event, biasTransfer: null }));
    applyResets(this.network!, tracker, events);
    for (const event of events) this.resetsPerLayer[event.layer] += event.units.length;
  }

  /** Tracker state (its utilities, ages, accumulators and Rng) and the reset counts, for a resumed run. */
  state(): ResetDriverState {
    return { tracker: this.tracker!.state(), resetsPerLayer: [...this.resetsPerLayer] };
  }

  restore(state: ResetDriverState): void {
    this.tracker!.restore(state.tracker);
    this.resetsPerLayer = [...state.resetsPerLayer];
  }

  get totalResets(): number {
    return this.resetsPerLayer.reduce((a, b) => a + b, 0);
  }
}
