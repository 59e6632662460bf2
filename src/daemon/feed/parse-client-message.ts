/**
 * Turns one websocket frame from a feed client into a validated `ClientMessage`, or into the
 * error the client should get back. Never throws: every frame a client can send maps to a result.
 */
import { CLIENT_MESSAGE_TYPES, clientMessageSchema } from '../../config/feed-messages.ts';
import type { ClientMessage, FeedErrorCode } from '../../config/feed-messages.ts';

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; code: FeedErrorCode; message: string };

const MAX_ERROR_MESSAGE = 400;
const KNOWN_TYPES: ReadonlySet<string> = new Set(CLIENT_MESSAGE_TYPES);

export function parseClientMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): ParseResult {
  if (isBinary) {
    return { ok: false, code: 'binary-frame', message: 'the feed takes JSON text frames only, got a binary frame' };
  }
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, code: 'invalid-json', message: truncate(`message is not valid JSON: ${(error as Error).message}`) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return { ok: false, code: 'invalid-message', message: `message must be a JSON object with a "type" field, got ${got}` };
  }
  const type = (value as Record<string, unknown>).type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : type === undefined ? 'no type' : typeof type;
    return {
      ok: false,
      code: 'unknown-type',
      message: `unknown message type ${shown}; expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}`,
    };
  }
  const parsed = clientMessageSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(message)'}: ${issue.message}`);
    return { ok: false, code: 'invalid-message', message: truncate(`invalid "${type}" message: ${problems.join('; ')}`) };
  }
  return { ok: true, message: parsed.data };
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_MESSAGE ? text : `${text.slice(0, MAX_ERROR_MESSAGE - 1)}…`;
}
