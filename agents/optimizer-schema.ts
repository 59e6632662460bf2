/**
 * The zod schema of the network optimizer configs (src/nn/optimizers/optimizer.ts) that agent
 * configs embed, so an AgentSpec can choose SGD or Adam, including the "non-stationary Adam"
 * β1 = β2 = 0.99 of Dohare et al.'s PPO runs (algorithms.md §4.6).
 */
import { z } from 'zod';
import type { OptimizerConfig } from '../src/nn/optimizers/optimizer.ts';

export const sgdConfigSchema = z
  .object({
    kind: z.literal('sgd'),
    learningRate: z.number().min(0),
    momentum: z.number().min(0).lt(1).optional(),
    weightDecay: z.number().min(0).optional(),
  })
  .strict();

export const adamConfigSchema = z
  .object({
    kind: z.literal('adam'),
    learningRate: z.number().min(0),
    beta1: z.number().min(0).lt(1).optional(),
    beta2: z.number().min(0).lt(1).optional(),
    epsilon: z.number().positive().optional(),
    weightDecay: z.number().min(0).optional(),
    decoupledWeightDecay: z.boolean().optional(),
  })
  .strict();

export const optimizerConfigSchema = z.discriminatedUnion('kind', [sgdConfigSchema, adamConfigSchema]);

/** Compile-time check that the schema's output is a valid OptimizerConfig. */
export type ParsedOptimizerConfig = z.infer<typeof optimizerConfigSchema> & OptimizerConfig;
