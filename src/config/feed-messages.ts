/**
 * Websocket feed messages (/feed): one zod schema per client→server and server→client message,
 * types inferred from them. docs/feed-protocol.md explains the protocol for people writing clients.
 * Client messages are strict (an unknown field is an error, so a typo such as `kind` for `kinds` is
 * reported instead of silently ignored); server messages are what the gateway sends.
 */
import { z } from 'zod';
import { RUN_EVENT_KINDS } from '../run/events.ts';
import type { RunEvent, RunEventKind } from '../run/events.ts';

/** Version of the protocol, sent in `hello`. Bumped on incompatible changes. */
export const FEED_PROTOCOL_VERSION = 1;

/** Limits on what a client may send (besides the frame size limit, `maxPayload`). */
export const FEED_LIMITS = {
  /** Longest agent id accepted in a subscription. */
  agentIdLength: 128,
  /** Most agent ids in one subscribe/unsubscribe message. */
  agentsPerMessage: 1000,
  /** Longest ping `id` string. */
  pingIdLength: 128,
} as const;

/** Kinds a subscription gets when it names none: everything but the heavy per-unit `units` events. */
export const DEFAULT_FEED_KINDS: readonly RunEventKind[] = RUN_EVENT_KINDS.filter((kind) => kind !== 'units');

const runEventKindSchema = z.enum(RUN_EVENT_KINDS as [RunEventKind, ...RunEventKind[]]);
const agentIdSchema = z.string().min(1).max(FEED_LIMITS.agentIdLength);
const agentListSchema = z.array(agentIdSchema).max(FEED_LIMITS.agentsPerMessage);
const agentSelectionSchema = z.union([z.literal('*'), agentListSchema]);
const kindListSchema = z.array(runEventKindSchema).min(1).max(RUN_EVENT_KINDS.length * 4);
const feedSeqSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

// ---- client → server -----------------------------------------------------------------------

/** Sets the subscription (replacing any earlier one); with `since`, replays buffered events after it. */
export const subscribeMessageSchema = z.strictObject({
  type: z.literal('subscribe'),
  agents: agentSelectionSchema,
  kinds: kindListSchema.optional(),
  since: feedSeqSchema.optional(),
});

/** Removes agents and/or kinds from the subscription; with neither, removes everything. */
export const unsubscribeMessageSchema = z.strictObject({
  type: z.literal('unsubscribe'),
  agents: agentSelectionSchema.optional(),
  kinds: kindListSchema.optional(),
});

export const pingMessageSchema = z.strictObject({
  type: z.literal('ping'),
  id: z.union([z.string().max(FEED_LIMITS.pingIdLength), z.number()]).optional(),
});

export const clientMessageSchema = z.discriminatedUnion('type', [
  subscribeMessageSchema,
  unsubscribeMessageSchema,
  pingMessageSchema,
]);

export const CLIENT_MESSAGE_TYPES = ['subscribe', 'unsubscribe', 'ping'] as const;

export type SubscribeMessage = z.infer<typeof subscribeMessageSchema>;
export type UnsubscribeMessage = z.infer<typeof unsubscribeMessageSchema>;
export type PingMessage = z.infer<typeof pingMessageSchema>;
export type ClientMessage = z.infer<typeof clientMessageSchema>;

// ---- server → client -----------------------------------------------------------------------

export const helloMessageSchema = z.object({
  type: z.literal('hello'),
  protocol: z.literal(FEED_PROTOCOL_VERSION),
  /** Feed seq of the newest event published so far (0 before the first). */
  seq: feedSeqSchema,
  /** Oldest feed seq a `since` can still replay without a gap (seq + 1 when the buffer is empty). */
  oldestSeq: feedSeqSchema,
  /** Server wall clock, ms since the epoch. */
  serverTime: z.number(),
  /** When this gateway started (ms since the epoch): feed seqs restart with it, so a change means "forget your since". */
  startedAt: z.number(),
  kinds: z.array(runEventKindSchema),
  defaultKinds: z.array(runEventKindSchema),
  heartbeatMs: z.number(),
  maxPayload: z.number(),
});

/** Acknowledges subscribe/unsubscribe with the resulting subscription. */
export const subscribedMessageSchema = z.object({
  type: z.literal('subscribed'),
  agents: agentSelectionSchema,
  /** Agents removed from a '*' subscription by unsubscribe. */
  excludedAgents: agentListSchema,
  kinds: z.array(runEventKindSchema),
  /** Feed seq when the subscription took effect: a replay delivers events up to here, live ones follow. */
  seq: feedSeqSchema,
  since: feedSeqSchema.nullable(),
});

/** Header every run event carries; the kind-specific body is passed through as the run produced it. */
export const runEventSchema = z.looseObject({
  kind: runEventKindSchema,
  agent: z.string(),
  /** The agent's own event seq (per agent, continues across restarts). */
  seq: z.number(),
  step: z.number(),
  time: z.number(),
});

export const eventMessageSchema = z.object({
  type: z.literal('event'),
  /** Feed seq: gateway-wide, strictly increasing, one per published event. */
  seq: feedSeqSchema,
  event: runEventSchema,
});

export const GAP_REASONS = ['ring', 'slow-client'] as const;
export type GapReason = (typeof GAP_REASONS)[number];

/** Events with feed seq in [from, to] that matched the subscription were not (and will not be) delivered. */
export const gapMessageSchema = z.object({
  type: z.literal('gap'),
  from: feedSeqSchema,
  to: feedSeqSchema,
  reason: z.enum(GAP_REASONS),
  /** For 'slow-client': how many events were dropped in the range. */
  dropped: z.number().optional(),
});

export const pongMessageSchema = z.object({
  type: z.literal('pong'),
  id: z.union([z.string(), z.number()]).optional(),
  seq: feedSeqSchema,
  serverTime: z.number(),
});

export const FEED_ERROR_CODES = [
  'invalid-json',
  'invalid-message',
  'unknown-type',
  'binary-frame',
  'unsupported',
] as const;
export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

export const errorMessageSchema = z.object({
  type: z.literal('error'),
  code: z.enum(FEED_ERROR_CODES),
  message: z.string(),
});

export const serverMessageSchema = z.discriminatedUnion('type', [
  helloMessageSchema,
  subscribedMessageSchema,
  eventMessageSchema,
  gapMessageSchema,
  pongMessageSchema,
  errorMessageSchema,
]);

export type HelloMessage = z.infer<typeof helloMessageSchema>;
export type SubscribedMessage = z.infer<typeof subscribedMessageSchema>;
export type GapMessage = z.infer<typeof gapMessageSchema>;
export type PongMessage = z.infer<typeof pongMessageSchema>;
export type ErrorMessage = z.infer<typeof errorMessageSchema>;
/** The event message as the gateway sends it (the event typed as the run produced it). */
export type EventMessage = { type: 'event'; seq: number; event: RunEvent };
export type ServerMessage = HelloMessage | SubscribedMessage | EventMessage | GapMessage | PongMessage | ErrorMessage;

/** Close codes the gateway uses (besides ws's own 1009 for frames above maxPayload). */
export const FEED_CLOSE_CODES = {
  /** Server shutting down. */
  goingAway: 1001,
  /** Too many consecutive bad messages, or a single message that overflowed the hard buffer limit. */
  policyViolation: 1008,
  /** The client did not read fast enough for too long. */
  tryAgainLater: 1013,
} as const;
