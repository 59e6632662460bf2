/**
 * The HTTP API's one catalogue of coded errors (fastify-style): every code the API answers with,
 * its HTTP status and what it means. Every error response has the body
 * `{ error: { code, message, details? } }`. The express error middleware here maps, in order:
 * PlasticdError codes (from the catalogue, then by family: `invalid…` → 400, `…not_found` → 404),
 * body-parser/http-errors failures (malformed JSON, too large, bad charset/encoding, bad
 * percent-encoding) and anything else (500, message hidden, logged). `handleClientError` answers
 * requests Node's HTTP parser rejects before express sees them (bad method, oversized headers)
 * with the same JSON body; the server wiring attaches it to the http server's 'clientError'.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler } from 'express';
import { PlasticdError } from '../util/errors.ts';

export interface ErrorCatalogueEntry {
  status: number;
  description: string;
}

/** Code → HTTP status. The OpenAPI document lists these. */
export const HTTP_ERRORS = {
  invalid_json: { status: 400, description: 'The body is not well-formed JSON (or not a JSON object/array).' },
  invalid_body: { status: 400, description: 'The body does not match the schema of the route (details: the issues).' },
  invalid_query: { status: 400, description: 'A query parameter is missing, unknown or malformed (details: the issues).' },
  invalid_id: { status: 400, description: 'The agent id in the path is not a valid id.' },
  invalid_spec: { status: 400, description: 'The agent spec was rejected by the supervisor.' },
  bad_request: { status: 400, description: 'The request is malformed (bad percent-encoding, aborted body, …).' },
  unauthorized: { status: 401, description: 'A token is configured and the request lacks `Authorization: Bearer <token>` or it is wrong.' },
  not_found: { status: 404, description: 'No such route.' },
  agent_not_found: { status: 404, description: 'No agent with this id.' },
  method_not_allowed: { status: 405, description: 'The route exists but not for this method (see the Allow header).' },
  agent_exists: { status: 409, description: 'An agent with this id already exists.' },
  invalid_state: { status: 409, description: 'The agent is not in a state that allows this (e.g. resuming a running agent).' },
  body_too_large: { status: 413, description: 'The body is larger than the limit (256 KiB).' },
  uri_too_long: { status: 414, description: 'The request line is too long.' },
  unsupported_media_type: { status: 415, description: 'The body is not `application/json` (or uses an unsupported charset or content-encoding).' },
  headers_too_large: { status: 431, description: 'The request headers are too large.' },
  not_ready: { status: 503, description: 'The daemon is starting or shutting down.' },
  shutting_down: { status: 503, description: 'The daemon is shutting down and takes no new work.' },
  internal_error: { status: 500, description: 'An unexpected failure; the daemon logged it.' },
} as const satisfies Record<string, ErrorCatalogueEntry>;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** An error the API answers with directly: a catalogue code, a message and optional details. */
export class HttpError extends PlasticdError {
  readonly status: number;
  constructor(code: HttpErrorCode, message: string, details?: unknown, readonly headers: Record<string, string> = {}) {
    super(code, message, details);
    this.name = 'HttpError';
    this.status = HTTP_ERRORS[code].status;
  }
}

/** HTTP status for a PlasticdError code thrown below the API (supervisor, store, config). */
export function statusForCode(code: string): number {
  const known = (HTTP_ERRORS as Record<string, ErrorCatalogueEntry>)[code];
  if (known !== undefined) return known.status;
  const normalized = code.replace(/-/g, '_');
  if (normalized.startsWith('invalid_')) return 400;
  if (normalized.endsWith('not_found')) return 404;
  if (normalized.endsWith('_exists') || normalized.endsWith('_conflict')) return 409;
  return 500;
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** What an express/body-parser/http-errors failure (it carries `status` and maybe `type`) means. */
function fromFrameworkError(error: { status: number; type?: string; message?: string; expose?: boolean }): { status: number; code: string; message: string } {
  switch (error.type) {
    case 'entity.parse.failed':
      return { status: 400, code: 'invalid_json', message: `The body is not valid JSON: ${error.message ?? 'parse error'}. Send a JSON object.` };
    case 'entity.too.large':
      return { status: 413, code: 'body_too_large', message: 'The body is larger than the limit of 256 KiB.' };
    case 'encoding.unsupported':
      return { status: 415, code: 'unsupported_media_type', message: 'Content-Encoding is not supported; send the body uncompressed.' };
    case 'charset.unsupported':
      return { status: 415, code: 'unsupported_media_type', message: `${error.message ?? 'Unsupported charset'}; send UTF-8.` };
    case 'request.aborted':
      return { status: 400, code: 'bad_request', message: 'The request body was aborted before it was complete.' };
    case 'request.size.invalid':
      return { status: 400, code: 'bad_request', message: 'The body length does not match Content-Length.' };
    default:
      break;
  }
  if (error.status === 413) return { status: 413, code: 'body_too_large', message: 'The body is too large.' };
  if (error.status === 415) return { status: 415, code: 'unsupported_media_type', message: 'Unsupported media type.' };
  if (error.status === 404) return { status: 404, code: 'not_found', message: 'No such route.' };
  if (error.status >= 400 && error.status < 500) {
    const message = error.expose !== false && error.message ? error.message : (STATUS_CODES[error.status] ?? 'Bad request');
    return { status: error.status, code: 'bad_request', message };
  }
  return { status: 500, code: 'internal_error', message: 'Internal error; the daemon logged the details.' };
}

export interface ErrorLogger {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

/** The express error middleware: every failure becomes a JSON error body with the right status. */
export function errorHandler(logger: ErrorLogger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      // Too late for a clean answer: let express close the connection.
      next(error);
      return;
    }
    let status: number;
    let body: ErrorBody;
    if (error instanceof HttpError) {
      status = error.status;
      body = errorBody(error.code, error.message, error.details);
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    } else if (error instanceof PlasticdError) {
      status = statusForCode(error.code);
      body = status === 500
        ? errorBody('internal_error', `Internal error (${error.code}): ${error.message}`)
        : errorBody(error.code, error.message, error.details);
    } else if (isFrameworkError(error)) {
      const mapped = fromFrameworkError(error);
      status = mapped.status;
      body = errorBody(mapped.code, mapped.message);
    } else {
      status = 500;
      body = errorBody('internal_error', 'Internal error; the daemon logged the details.');
    }
    // Paths only, never the query string: it may carry a token.
    if (status >= 500) logger.error({ err: error, method: req.method, path: req.path, status }, 'request failed');
    else logger.debug({ method: req.method, path: req.path, status, code: body.error.code }, 'request rejected');
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="plasticd"');
    // The body of a rejected upload may still be arriving: close the connection instead of reading it.
    if (status === 413 || (req.readable && !req.complete)) res.setHeader('Connection', 'close');
    res.status(status).json(body);
  };
}

function isFrameworkError(error: unknown): error is { status: number; type?: string; message?: string; expose?: boolean } {
  if (typeof error !== 'object' || error === null) return false;
  const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status)) return false;
  (error as { status: number }).status = status;
  return true;
}

/** Node's parser error codes → our catalogue (https://nodejs.org/api/http.html#event-clienterror). */
function clientErrorAnswer(error: NodeJS.ErrnoException): { status: number; code: HttpErrorCode; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'The request headers are larger than the server accepts.' };
    case 'HPE_URI_TOO_LONG':
      return { status: 414, code: 'uri_too_long', message: 'The request line is too long.' };
    case 'HPE_INVALID_METHOD':
      return { status: 400, code: 'bad_request', message: 'Unknown HTTP method.' };
    default:
      return { status: 400, code: 'bad_request', message: `Malformed HTTP request (${error.code ?? 'parse error'}).` };
  }
}

/**
 * Answers a request the HTTP parser rejected (attach with `server.on('clientError', handleClientError)`):
 * a JSON error body and `Connection: close`, or just a destroy when nothing can be written any more.
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A response already under way on this socket (the error came mid-body) cannot be replaced.
  const responseStarted = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || responseStarted || !socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  const answer = clientErrorAnswer(error);
  const payload = JSON.stringify(errorBody(answer.code, answer.message));
  const head = [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(payload)}`,
    'Connection: close',
  ].join('\r\n');
  socket.end(`${head}\r\n\r\n${payload}`);
}
