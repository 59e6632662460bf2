/**
 * Zod schemas for everything the HTTP API reads from a request besides the AgentSpec itself
 * (src/config/agent-spec.ts): the PATCH body, the reset-now body, the windows query and the `:id`
 * path parameter. Bodies are strict objects (an unknown key is an error, so a typo such as
 * `learningrate` is reported instead of silently ignored). Query values arrive as strings and are
 * parsed here; `WINDOWS_QUERY_INPUT` is the string form the OpenAPI document shows.
 */
import { z } from 'zod';
import { resetPolicyConfigSchema } from './monitor-config.ts';
import { AGENT_ID_PATTERN } from '../daemon/store/agent-directory.ts';

/**
 * POST /api/agents — the AgentSpec. The single place the HTTP layer gets it from (app validation
 * and the OpenAPI document both import this name).
 */
export { agentSpecSchema as agentSpecBodySchema } from './agent-spec.ts';

/** Limits on what a request may carry. */
export const HTTP_LIMITS = {
  /** Largest request body accepted (bytes); larger ones get 413 body_too_large. */
  bodyBytes: 256 * 1024,
  /** Windows returned by one history request when `limit` is absent. */
  defaultWindowsLimit: 10_000,
  /** Most windows one history request may ask for. */
  maxWindowsLimit: 100_000,
  /** Longest `description` a PATCH may set. */
  descriptionLength: 4096,
  /** Longest network name in a reset request. */
  networkNameLength: 128,
} as const;

/** An agent id: one safe path segment (the same rule the on-disk store enforces). */
export const agentIdSchema = z
  .string()
  .regex(AGENT_ID_PATTERN, 'an agent id is 1–128 letters, digits, "_", "." or "-", starting with a letter or digit');

export const agentIdParamsSchema = z.strictObject({ id: agentIdSchema });

/**
 * The reset-policy part of a PATCH: every key of the monitor's `resetPolicy` block, all optional
 * and WITHOUT their defaults, so `{ replacementRate: 1e-3 }` changes that key only. `{ kind: 'none' }`
 * turns resets off.
 */
export const resetPolicyPatchSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(resetPolicyConfigSchema.shape).map(([key, field]) => [key, field.removeDefault().optional()]),
  ) as { [K in keyof typeof resetPolicyConfigSchema.shape]: z.ZodOptional<ReturnType<(typeof resetPolicyConfigSchema.shape)[K]['removeDefault']>> },
);

/** PATCH /api/agents/:id — the fields a live agent may change; at least one. */
export const agentPatchSchema = z
  .strictObject({
    /** Change the reset policy's keys (rate, threshold, criterion, …) or turn resets off with kind 'none'. */
    resetPolicy: resetPolicyPatchSchema.optional(),
    /** New optimizer learning rate of every network of the agent. */
    learningRate: z.number().positive().max(10).optional(),
    /** Human-readable note stored with the spec. */
    description: z.string().max(HTTP_LIMITS.descriptionLength).optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'a patch must change at least one of resetPolicy, learningRate, description',
  });

/** POST /api/agents/:id/reset — reset units now; with no fields, through the monitor's own policy. */
export const resetRequestSchema = z.strictObject({
  /** Only this network (e.g. 'q', 'actor'); default every watched network. */
  network: z.string().min(1).max(HTTP_LIMITS.networkNameLength).optional(),
  /** Only this hidden layer (0-based index); default every hidden layer. */
  layer: z.int().min(0).max(1024).optional(),
  /** Reset exactly this many lowest-utility units per layer instead of asking the policy. */
  units: z.int().min(1).max(1_000_000).optional(),
});

/** Body of POST /api/agents/:id/pause|resume|checkpoint: nothing, or an empty object. */
export const emptyBodySchema = z.strictObject({});

/** A non-negative integer written in decimal (query strings carry text). */
const nonNegativeIntegerText = z
  .string()
  .regex(/^\d{1,15}$/, 'expected a non-negative integer written with digits only');

/** GET /api/agents/:id/windows?since=&limit= as it arrives (the OpenAPI document shows this form). */
export const windowsQueryInputSchema = z.strictObject({
  /** Return windows with report.window > since. Default 0 (from the first). */
  since: nonNegativeIntegerText.optional(),
  /** At most this many windows (1–100000). Default 10000. */
  limit: nonNegativeIntegerText.optional(),
});

/** The parsed windows query: numbers with defaults and bounds applied. */
export const windowsQuerySchema = windowsQueryInputSchema
  .transform((query) => ({
    since: query.since === undefined ? 0 : Number(query.since),
    limit: query.limit === undefined ? HTTP_LIMITS.defaultWindowsLimit : Number(query.limit),
  }))
  .pipe(
    z.object({
      since: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
      limit: z.int().min(1, 'limit must be at least 1').max(HTTP_LIMITS.maxWindowsLimit, `limit must be at most ${HTTP_LIMITS.maxWindowsLimit}`),
    }),
  );

export type AgentPatchBody = z.infer<typeof agentPatchSchema>;
export type ResetRequestBody = z.infer<typeof resetRequestSchema>;
export type WindowsQuery = z.infer<typeof windowsQuerySchema>;
