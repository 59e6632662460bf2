/**
 * Schemas of what the checkpoint store reads back from disk: the checkpoint manifest, the JSON
 * header inside each checkpoint file, the agent lock file and the header fields of a run-log line.
 * `parseStoredJson` turns a zod failure into a PlasticdError naming the file and the field.
 */
import { z } from 'zod';
import { PlasticdError } from '../util/errors.ts';

export const CHECKPOINT_FORMAT_VERSION = 1;

const nonNegativeInteger = z.number().int().nonnegative();

export const CheckpointEntrySchema = z.object({
  /** `ckpt-<9-digit sequence number>`. */
  id: z.string().regex(/^ckpt-\d{9}$/, 'expected ckpt-<9 digits>'),
  /** File name inside `checkpoints/`. */
  file: z.string().regex(/^ckpt-\d{9}\.bin$/, 'expected ckpt-<9 digits>.bin'),
  /** Agent step the checkpoint was taken at. */
  step: nonNegativeInteger,
  /** Last run-event seq included in the checkpoint (0 = before any event). */
  eventSeq: nonNegativeInteger,
  /** Wall-clock milliseconds since the epoch when it was written. */
  time: z.number().nonnegative(),
  /** File size in bytes. */
  bytes: nonNegativeInteger,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters'),
});
export type CheckpointEntry = z.infer<typeof CheckpointEntrySchema>;

export const CheckpointManifestSchema = z
  .object({
    formatVersion: z.literal(CHECKPOINT_FORMAT_VERSION),
    agent: z.string().min(1),
    /** Oldest first. */
    checkpoints: z.array(CheckpointEntrySchema),
    /** Id of the newest checkpoint, null when there is none. */
    latest: z.string().nullable(),
  })
  .superRefine((manifest, context) => {
    const last = manifest.checkpoints.at(-1);
    if ((last?.id ?? null) !== manifest.latest) {
      context.addIssue({
        code: 'custom',
        path: ['latest'],
        message: `expected the id of the last checkpoint (${last?.id ?? 'null'})`,
      });
    }
  });
export type CheckpointManifest = z.infer<typeof CheckpointManifestSchema>;

/** The JSON header at the start of every checkpoint file (see checkpoint-codec.ts). */
export const CheckpointFileHeaderSchema = z.object({
  formatVersion: z.literal(CHECKPOINT_FORMAT_VERSION),
  agent: z.string(),
  id: z.string(),
  step: nonNegativeInteger,
  eventSeq: nonNegativeInteger,
  time: z.number(),
  /** Byte order of the binary section; loading on a machine of the other order is refused. */
  littleEndian: z.boolean(),
  binaryBytes: nonNegativeInteger,
  /** The payload with typed arrays replaced by references into the binary section. */
  payload: z.unknown(),
});
export type CheckpointFileHeader = z.infer<typeof CheckpointFileHeaderSchema>;

export const AgentLockSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  /** Start time of the process from /proc (clock ticks since boot) to detect pid reuse; null off Linux. */
  processStart: z.number().nullable(),
  /** Random token so a process only ever deletes its own lock. */
  token: z.string(),
  acquiredAt: z.number(),
});
export type AgentLock = z.infer<typeof AgentLockSchema>;

/** The header every run-log line must have; the rest of the RunEvent is passed through. */
export const RunLogLineSchema = z.looseObject({
  seq: z.number().int().positive(),
  kind: z.string().min(1),
  agent: z.string(),
  step: z.number(),
  time: z.number(),
});

/** Parses `text` (the content of `file`) as JSON and validates it; errors name the file and field. */
export function parseStoredJson<T>(schema: z.ZodType<T>, text: string, file: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PlasticdError('store-invalid-json', `${file}: ${what} is not valid JSON (${(error as Error).message})`, {
      file,
    });
  }
  return validateStored(schema, value, file, what);
}

export function validateStored<T>(schema: z.ZodType<T>, value: unknown, file: string, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `field '${issue.path.join('.') || '(root)'}': ${issue.message}`);
  throw new PlasticdError('store-invalid-file', `${file}: invalid ${what}: ${problems.join('; ')}`, {
    file,
    fields: result.error.issues.map((issue) => issue.path.join('.')),
  });
}
