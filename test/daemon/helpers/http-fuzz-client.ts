/**
 * TEST HELPER: sends the generated malformed HTTP requests of http-fuzz-cases.ts (raw bytes over a
 * socket, or fetch with streamed huge bodies) to any server — the app with an in-memory supervisor
 * or the real daemon — and checks each answer is a 4xx JSON error `{ error: { code, message } }`.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { FuzzCase } from './http-fuzz-cases.ts';

/** Where to send: the base URL and its port (raw cases bypass fetch). */
export interface FuzzTarget {
  url: string;
  port: number;
}

/** A request unanswered after this long counts as a hang. */
export const HANG_MS = 10_000;

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

export interface FuzzTally {
  byKind: Map<string, number>;
  byStatus: Map<number, number>;
  byCode: Map<string, number>;
}

export function rawRequest(port: number, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request hung'));
    }, HANG_MS);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined); // the server may reset after answering; what it sent is judged below
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const contentType = /\r\ncontent-type: *([^\r\n]*)/i.exec(head)?.[1] ?? '';
      resolve({ status, contentType, body: rest.join('\r\n\r\n') });
    });
    socket.end(bytes);
  });
}

export async function sendCase(server: FuzzTarget, fuzzCase: FuzzCase): Promise<Answer> {
  if (fuzzCase.transport === 'raw') return rawRequest(server.port, fuzzCase.bytes);
  let body: RequestInit['body'] = fuzzCase.body;
  if (fuzzCase.streamBytes !== undefined) {
    const size = fuzzCase.streamBytes;
    const chunk = new TextEncoder().encode('['.padEnd(65_536, '1'));
    body = new ReadableStream({
      start(controller) {
        for (let sent = 0; sent < size; sent += chunk.length) controller.enqueue(chunk.subarray(0, Math.min(chunk.length, size - sent)));
        controller.close();
      },
    });
  }
  const response = await fetch(`${server.url}${fuzzCase.path}`, {
    method: fuzzCase.method,
    headers: fuzzCase.headers,
    body,
    duplex: 'half',
    signal: AbortSignal.timeout(HANG_MS),
  } as RequestInit);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
}

export function describeCase(fuzzCase: FuzzCase): string {
  if (fuzzCase.transport === 'raw') return `${fuzzCase.kind} raw ${JSON.stringify(fuzzCase.bytes.toString('latin1').slice(0, 120))}`;
  const body = fuzzCase.streamBytes !== undefined ? `<stream ${fuzzCase.streamBytes} B>` : typeof fuzzCase.body === 'string' ? fuzzCase.body.slice(0, 120) : fuzzCase.body === undefined ? '' : `<${fuzzCase.body.length} bytes>`;
  return `${fuzzCase.kind} ${fuzzCase.method} ${fuzzCase.path.slice(0, 120)} ${JSON.stringify(fuzzCase.headers)} ${body}`;
}

/** Asserts a 4xx with `{ error: { code, message } }` as JSON. */
export function assertClientError(answer: Answer, fuzzCase: FuzzCase): string {
  const what = `${describeCase(fuzzCase)} → ${answer.status} ${answer.body.slice(0, 200)}`;
  assert.ok(answer.status >= 400 && answer.status < 500, `expected a 4xx: ${what}`);
  assert.match(answer.contentType, /^application\/json/, `expected JSON: ${what}`);
  const parsed = JSON.parse(answer.body) as { error?: { code?: unknown; message?: unknown } };
  assert.equal(typeof parsed.error?.code, 'string', what);
  assert.equal(typeof parsed.error?.message, 'string', what);
  assert.ok((parsed.error?.message as string).length > 0, what);
  return parsed.error?.code as string;
}

/** A well-formed request round: the daemon still serves (read, pause, resume). */

/** Sends `cases` in parallel batches of `batch`, asserting a 4xx JSON error for each; `afterBatch` runs between batches. */
export async function runFuzzCases(server: FuzzTarget, cases: FuzzCase[], batch: number, afterBatch: () => Promise<void>): Promise<FuzzTally> {
  const byKind = new Map<string, number>();
  const byStatus = new Map<number, number>();
  const byCode = new Map<string, number>();
  for (let start = 0; start < cases.length; start += batch) {
    const slice = cases.slice(start, start + batch);
    const answers = await Promise.all(slice.map((fuzzCase) => sendCase(server, fuzzCase)));
    answers.forEach((answer, index) => {
      const code = assertClientError(answer, slice[index]);
      byKind.set(slice[index].kind, (byKind.get(slice[index].kind) ?? 0) + 1);
      byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
      byCode.set(code, (byCode.get(code) ?? 0) + 1);
    });
    await afterBatch();
  }
  return { byKind, byStatus, byCode };
}
