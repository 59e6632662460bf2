/**
 * The AgentSpec: everything needed to build and rebuild one agent run (env or stream, learner,
 * networks, monitor, regularizers, seed, window length). Stored with the agent and validated on
 * every create; the same spec always builds the same run, so a checkpoint restores into it.
 * Every key is documented with its default; unknown keys are errors (a typo is never ignored).
 */
import { z } from 'zod';
import { dqnConfigSchema } from '../../agents/dqn.ts';
import { ppoConfigSchema } from '../../agents/ppo.ts';
import { streamAcConfigSchema } from '../../agents/stream-ac.ts';
import { optimizerConfigSchema } from '../../agents/optimizer-schema.ts';
import { monitorConfigSchema } from './monitor-config.ts';
import { PlasticdError } from '../util/errors.ts';

export const AGENT_ID_PATTERN = /^[a-z0-9][a-z0-9-_]{0,62}$/;

const ACTIVATIONS = ['relu', 'leaky_relu', 'tanh', 'sigmoid', 'elu', 'gelu', 'swish', 'linear'] as const;
const INITIALIZERS = ['he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal', 'xavier_uniform', 'xavier_normal', 'torch_default'] as const;

// ───────────────────────────── env or stream ─────────────────────────────

/** One wrapper applied around `make(id)`'s stack, innermost first, in the order listed. */
export const envWrapperSchema = z.discriminatedUnion('kind', [
  /** Running mean/std observation normalisation (Gymnasium NormalizeObservation). Options: epsilon (default 1e-8). */
  z.strictObject({ kind: z.literal('normalize-observation'), options: z.strictObject({ epsilon: z.number().positive().optional() }).default({}) }),
  /** Reward scaling by the running std of the discounted return. Options: gamma (0.99), epsilon (1e-8). */
  z.strictObject({
    kind: z.literal('normalize-reward'),
    options: z.strictObject({ gamma: z.number().min(0).max(1).optional(), epsilon: z.number().positive().optional() }).default({}),
  }),
  /** Clips Box actions to the action space. No options. */
  z.strictObject({ kind: z.literal('clip-action'), options: z.strictObject({}).default({}) }),
  /** Affinely rescales Box actions from [min, max] to the env's range. Options: min (-1), max (1). */
  z.strictObject({
    kind: z.literal('rescale-action'),
    options: z.strictObject({ min: z.number().default(-1), max: z.number().default(1) }).default({ min: -1, max: 1 }),
  }),
  /** Puts `info.episode = {r, l, t}` on episode ends. Options: bufferLength (100). */
  z.strictObject({
    kind: z.literal('record-episode-statistics'),
    options: z.strictObject({ bufferLength: z.int().min(1).optional() }).default({}),
  }),
]);
export type EnvWrapperSpec = z.infer<typeof envWrapperSchema>;

export const envBlockSchema = z.strictObject({
  /** A registered env id, e.g. 'CartPole-v1' or 'plasticd/DriftingCartPole-v1'. Required. */
  id: z.string().min(1),
  /** Env keyword arguments, merged over the registration's. Default {}. */
  kwargs: z.record(z.string(), z.unknown()).default({}),
  /** Overrides the registered time limit; -1 disables it. Default: the registration's. */
  maxEpisodeSteps: z.union([z.int().min(1), z.literal(-1)]).optional(),
  /** Extra wrappers outside make()'s stack, innermost first. Default []. */
  wrappers: z.array(envWrapperSchema).default([]),
});
export type EnvBlock = z.infer<typeof envBlockSchema>;

export const streamBlockSchema = z.strictObject({
  /** A stream id: 'bit-flipping', 'bit-flipping-resample', 'permuted-mnist', 'random-label-mnist'. Required. */
  id: z.string().min(1),
  /** Stream options (see `streamDefaults(id)`); `seed` is filled from the spec's seed unless given. Default {}. */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Examples per update. Default 1 (the online learner of Dohare et al.). */
  batchSize: z.int().min(1).max(4096).default(1),
});
export type StreamBlock = z.infer<typeof streamBlockSchema>;

// ───────────────────────────── agents ─────────────────────────────

/** The continual learner's own keys (input/output sizes and the task kind come from the stream). */
export const continualSpecConfigSchema = z.strictObject({
  /** Units per hidden layer. Default [5]. */
  hiddenUnits: z.array(z.int().min(1)).min(1).optional(),
  /** Hidden activation. Default 'relu'. */
  activation: z.enum(ACTIVATIONS).optional(),
  /** Hidden-layer initialiser. Default 'he_uniform'. */
  hiddenInit: z.enum(INITIALIZERS).optional(),
  /** Output-layer initialiser. Default 'lecun_uniform'. */
  outputInit: z.enum(INITIALIZERS).optional(),
  /** Optimizer. Default SGD, learning rate 0.01. */
  optimizer: optimizerConfigSchema.optional(),
});

/** The same keys, each optional with no default filled in (the agent applies its own defaults, and shorthand conflicts stay visible). */
function withoutDefaults<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => {
      const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType);
      return [key, inner.optional()];
    }),
  );
  return z.strictObject(shape as { [K in keyof Shape]: z.ZodOptional<z.ZodType<z.output<Shape[K]>, z.input<Shape[K]>>> });
}

/** `agent`: the learner and its hyperparameters, flat next to `kind`; every key defaults to the agent's own default. */
export const agentBlockSchema = z.discriminatedUnion('kind', [
  /** DQN (agents/dqn.ts): discrete actions. */
  dqnConfigSchema.extend({ kind: z.literal('dqn') }),
  /** PPO (agents/ppo.ts): discrete or continuous actions. */
  ppoConfigSchema.extend({ kind: z.literal('ppo') }),
  /** Stream AC(λ) (agents/stream-ac.ts): streaming actor-critic, batch size one. */
  withoutDefaults(streamAcConfigSchema).extend({ kind: z.literal('stream-ac') }),
  /** The continual learner (agents/continual.ts), for supervised streams only. */
  continualSpecConfigSchema.extend({ kind: z.literal('continual') }),
]);
export type AgentBlock = z.infer<typeof agentBlockSchema>;
export type AgentKind = AgentBlock['kind'];
export const AGENT_KINDS: readonly AgentKind[] = ['dqn', 'ppo', 'stream-ac', 'continual'];

// ───────────────────────────── networks, regularizers ─────────────────────────────

/**
 * Network settings shared by the agent's networks. `hidden`, `activation` and `init` are a
 * shorthand for the agent's own keys (dqn: hidden/activation; ppo: actorHidden+criticHidden/
 * activation/init; stream-ac: hiddenUnits; continual: hiddenUnits/activation/hiddenInit); setting
 * both is an error, and a key the agent cannot honour is an error too.
 */
export const networksBlockSchema = z.strictObject({
  /** 'typed' (fast typed-array engine), 'tfjs', or 'auto' (the factory's choice). Default 'auto'. */
  engine: z.enum(['auto', 'typed', 'tfjs']).default('auto'),
  /** Hidden layer widths. Default: the agent's. */
  hidden: z.array(z.int().min(1)).min(1).optional(),
  /** Hidden activation. Default: the agent's. */
  activation: z.enum(ACTIVATIONS).optional(),
  /** Weight initialiser. Default: the agent's. */
  init: z.enum(INITIALIZERS).optional(),
});
export type NetworksBlock = z.infer<typeof networksBlockSchema>;

const strength = z.strictObject({ strength: z.number().min(0).optional() });
/** Regularizers against loss of plasticity (src/nn/regularizers.ts); `{}` turns one on with its defaults. Default none. */
export const regularizersSchema = z.strictObject({
  /** Coupled L2 toward 0; strength default 1e-4. */
  l2: strength.optional(),
  /** L2 toward the initial parameters; strength default 1e-2. */
  l2Init: strength.optional(),
  /** Wasserstein distance to the initial parameter distribution; strength default 1e-2. */
  wasserstein: strength.optional(),
  /** Shrink & Perturb after every step; shrink default 1 − 1e-4, noiseStd 1e-5. */
  shrinkPerturb: z.strictObject({ shrink: z.number().min(0).max(1).optional(), noiseStd: z.number().min(0).optional() }).optional(),
  /** Gradient noise σ0·γ^t·‖g‖; initialScale default 0.01, decay 0.99. */
  gradientNoise: z.strictObject({ initialScale: z.number().min(0).optional(), decay: z.number().min(0).max(1).optional() }).optional(),
});
export type RegularizersBlock = z.infer<typeof regularizersSchema>;

// ───────────────────────────── the spec ─────────────────────────────

export const agentSpecSchema = z
  .strictObject({
    /** Agent id: lowercase letters, digits, '-' and '_', 1–63 characters, starting with a letter or digit. Required. */
    id: z.string().regex(AGENT_ID_PATTERN, 'expected 1–63 characters of a-z, 0-9, "-", "_", starting with a letter or digit'),
    /** Free text shown with the agent. Default ''. */
    description: z.string().max(2000).default(''),
    /** The Gymnasium-style env (for dqn, ppo, stream-ac). Exactly one of env and stream. */
    env: envBlockSchema.optional(),
    /** The supervised stream (for the continual learner). Exactly one of env and stream. */
    stream: streamBlockSchema.optional(),
    agent: agentBlockSchema,
    networks: networksBlockSchema.default({ engine: 'auto' }),
    /** The plasticity monitor: utilities, reset policy, window metrics, audit (src/config/monitor-config.ts). Default {}. */
    monitor: monitorConfigSchema.default(monitorConfigSchema.parse({})),
    regularizers: regularizersSchema.default({}),
    /** Root seed; env, agent and monitor seeds are forked from it. Default 0. */
    seed: z.int().min(0).max(0xffffffff).default(0),
    /** Agent steps (env steps or examples) per window. Default: monitor.windowLength (1000). Sets monitor.windowLength. */
    windowLength: z.int().min(1).optional(),
  })
  .superRefine((spec, context) => {
    const hasEnv = spec.env !== undefined;
    const hasStream = spec.stream !== undefined;
    if (hasEnv === hasStream) {
      context.addIssue({ code: 'custom', path: hasEnv ? ['stream'] : ['env'], message: 'give exactly one of env (for RL agents) and stream (for the continual learner)' });
    }
    if (spec.agent.kind === 'continual' && !hasStream) {
      context.addIssue({ code: 'custom', path: ['stream'], message: "the 'continual' agent learns from a supervised stream; give stream: {id, options}" });
    }
    if (spec.agent.kind !== 'continual' && !hasEnv) {
      context.addIssue({ code: 'custom', path: ['env'], message: `the '${spec.agent.kind}' agent acts in an env; give env: {id}` });
    }
    if (spec.windowLength !== undefined && spec.monitor.windowLength !== spec.windowLength && spec.monitor.windowLength !== monitorConfigSchema.parse({}).windowLength) {
      context.addIssue({ code: 'custom', path: ['windowLength'], message: `windowLength ${spec.windowLength} disagrees with monitor.windowLength ${spec.monitor.windowLength}; set one of them` });
    }
  })
  .transform((spec) => {
    const windowLength = spec.windowLength ?? spec.monitor.windowLength;
    return { ...spec, windowLength, monitor: { ...spec.monitor, windowLength } };
  });

export type AgentSpecInput = z.input<typeof agentSpecSchema>;
export type AgentSpec = z.output<typeof agentSpecSchema>;

/** Validates and fills in defaults; throws PlasticdError('invalid_spec') naming every bad key. */
export function parseAgentSpec(input: unknown): AgentSpec {
  const result = agentSpecSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new PlasticdError('invalid_spec', `Invalid agent spec: ${problems}.`, { issues: result.error.issues });
  }
  return result.data;
}

/** `env.id`, or `stream:<id>` for supervised streams (AgentSummary.env). */
export function describeEnvOf(spec: AgentSpec): string {
  return spec.env ? spec.env.id : `stream:${spec.stream!.id}`;
}
