import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startAppServer } from './helpers/app-server.ts';
import type { AppServer } from './helpers/app-server.ts';
import { MemorySupervisor, VALID_SPEC } from './helpers/memory-supervisor.ts';
import { generateCases, generateUnauthorizedCases, KNOWN_AGENTS } from './helpers/http-fuzz-cases.ts';
import type { FuzzCase } from './helpers/http-fuzz-cases.ts';
import { serveWebAssets } from '../../src/daemon/web-assets.ts';

const SEED = 20_261_120;
const CASES = 1000;
const UNAUTHORIZED_CASES = 200;
const BATCH = 25;
/** A request unanswered after this long counts as a hang. */
const HANG_MS = 10_000;
const TOKEN = 'fuzz-token-0123456789';

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function rawRequest(port: number, bytes: Buffer): Promise<Answer> {
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

async function send(server: AppServer, fuzzCase: FuzzCase): Promise<Answer> {
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

function describeCase(fuzzCase: FuzzCase): string {
  if (fuzzCase.transport === 'raw') return `${fuzzCase.kind} raw ${JSON.stringify(fuzzCase.bytes.toString('latin1').slice(0, 120))}`;
  const body = fuzzCase.streamBytes !== undefined ? `<stream ${fuzzCase.streamBytes} B>` : typeof fuzzCase.body === 'string' ? fuzzCase.body.slice(0, 120) : fuzzCase.body === undefined ? '' : `<${fuzzCase.body.length} bytes>`;
  return `${fuzzCase.kind} ${fuzzCase.method} ${fuzzCase.path.slice(0, 120)} ${JSON.stringify(fuzzCase.headers)} ${body}`;
}

/** Asserts a 4xx with `{ error: { code, message } }` as JSON. */
function assertClientError(answer: Answer, fuzzCase: FuzzCase): string {
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
async function assertStillServing(server: AppServer): Promise<void> {
  const agent = await fetch(`${server.url}/api/agents/alpha`, { signal: AbortSignal.timeout(HANG_MS) });
  assert.equal(agent.status, 200);
  assert.equal(((await agent.json()) as { id: string }).id, 'alpha');
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  for (const action of ['pause', 'resume']) {
    const response = await fetch(`${server.url}/api/agents/alpha/${action}`, { method: 'POST', headers, body: '{}', signal: AbortSignal.timeout(HANG_MS) });
    assert.equal(response.status, 200, action);
  }
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
}

async function runCases(server: AppServer, cases: FuzzCase[]): Promise<{ byKind: Map<string, number>; byStatus: Map<number, number>; byCode: Map<string, number> }> {
  const byKind = new Map<string, number>();
  const byStatus = new Map<number, number>();
  const byCode = new Map<string, number>();
  for (let start = 0; start < cases.length; start += BATCH) {
    const batch = cases.slice(start, start + BATCH);
    const answers = await Promise.all(batch.map((fuzzCase) => send(server, fuzzCase)));
    answers.forEach((answer, index) => {
      const code = assertClientError(answer, batch[index]);
      byKind.set(batch[index].kind, (byKind.get(batch[index].kind) ?? 0) + 1);
      byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
      byCode.set(code, (byCode.get(code) ?? 0) + 1);
    });
    await assertStillServing(server);
  }
  return { byKind, byStatus, byCode };
}

function newSupervisor(): MemorySupervisor {
  const supervisor = new MemorySupervisor();
  for (const id of KNOWN_AGENTS) supervisor.seed({ ...VALID_SPEC, id }, 5);
  return supervisor;
}

describe('HTTP API under malformed input', () => {
  let open: AppServer;
  let guarded: AppServer;
  before(async () => {
    // Without a token every defect reaches validation; with one, mutations stop at 401 first.
    open = await startAppServer({ supervisor: newSupervisor(), webAssets: serveWebAssets() });
    guarded = await startAppServer({ supervisor: newSupervisor(), token: TOKEN, webAssets: serveWebAssets() });
  });
  after(async () => {
    await open.close();
    await guarded.close();
  });

  it(`answers ${CASES} generated malformed requests with a 4xx JSON error and keeps serving after every batch`, async () => {
    const callsBefore = open.supervisor.calls.length;
    const { byKind, byStatus, byCode } = await runCases(open, generateCases(SEED, CASES));
    assert.equal([...byKind.values()].reduce((a, b) => a + b, 0), CASES);
    assert.equal(byKind.size, 10, `every generator ran: ${[...byKind.keys()]}`);
    // The defects were caught where they should be: each family shows up with its own code.
    for (const code of ['invalid_json', 'invalid_body', 'invalid_spec', 'invalid_query', 'invalid_id', 'body_too_large', 'unsupported_media_type', 'not_found', 'agent_not_found', 'method_not_allowed', 'bad_request']) {
      assert.ok((byCode.get(code) ?? 0) > 0, `some case answered ${code}: ${JSON.stringify([...byCode])}`);
    }
    assert.ok(!byStatus.has(500));
    // Only the unknown-id cases (well-formed otherwise) reach the supervisor's mutating methods.
    const mutations = open.supervisor.calls.slice(callsBefore).filter((call) => !['getAgent', 'listAgents', 'windows', 'pauseAgent', 'resumeAgent'].includes(call.method));
    assert.ok(mutations.every((call) => String(call.args[0]).startsWith('ghost-')), JSON.stringify(mutations.slice(0, 3)));
    assert.equal(open.logs.filter((line) => (line.level as number) >= 50).length, 0, 'no request failed with an internal error');
    console.log(`fuzz: ${CASES} cases; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}; codes ${JSON.stringify(Object.fromEntries(byCode))}`);
  });

  it(`answers ${UNAUTHORIZED_CASES} mutating requests with a missing or wrong token with 401, and the agents are untouched`, async () => {
    const callsBefore = guarded.supervisor.calls.length;
    const { byStatus } = await runCases(guarded, generateUnauthorizedCases(SEED + 1, UNAUTHORIZED_CASES, TOKEN));
    assert.deepEqual([...byStatus.keys()], [401]);
    const reached = guarded.supervisor.calls.slice(callsBefore).filter((call) => call.method !== 'getAgent' && call.method !== 'pauseAgent' && call.method !== 'resumeAgent');
    assert.deepEqual(reached, []);
    assert.deepEqual(guarded.supervisor.listAgents().map((agent) => agent.id), [...KNOWN_AGENTS]);
  });
});
