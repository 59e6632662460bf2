/**
 * TEST HELPER: seeded generators of malformed HTTP requests for test/daemon/http-fuzz.test.ts.
 * Every case has at least one defect (wrong type, missing field, huge body, unknown id, garbage
 * JSON, wrong content type, weird method, odd path, bad query value, missing/wrong token), so
 * every answer must be a 4xx. Cases the HTTP parser itself rejects are sent as raw bytes.
 */
import { Rng } from '../../../src/util/rng.ts';
import { HTTP_LIMITS } from '../../../src/config/http-bodies.ts';
import { VALID_SPEC } from './memory-supervisor.ts';

export type FuzzCase =
  | { kind: string; transport: 'fetch'; method: string; path: string; headers: Record<string, string>; body?: string | Uint8Array; streamBytes?: number }
  | { kind: string; transport: 'raw'; bytes: Buffer };

/** Agents the fuzz server has; everything else is unknown. */
export const KNOWN_AGENTS = ['alpha', 'beta'] as const;

const JSON_TYPE = { 'content-type': 'application/json' };
const ACTIONS = ['pause', 'resume', 'checkpoint', 'reset'] as const;

/** Values of every JSON type, many of them wrong for any given field. */
const ODD_VALUES: unknown[] = [
  null, true, false, 0, -1, -0.5, 1.5, 1e308, -1e308, 2 ** 53 + 2, '', ' ', 'x', '0', 'null', 'x'.repeat(5000), '\u0000', '💥',
  [], [1, 2, 3], [null], {}, { a: 1 }, JSON.parse('{"__proto__":{"polluted":true}}'), { constructor: { prototype: {} } },
];

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)];

function randomText(rng: Rng, length: number, alphabet: string): string {
  const characters = [...alphabet];
  let text = '';
  for (let i = 0; i < length; i++) text += characters[rng.int(characters.length)];
  return text;
}

const ODD_ALPHABET = 'aZ09-_.~!$&\'()*+,;=:@%/?#[] \t"<>\\^`{|}éß中💥\u0000\u007f';

function unknownId(rng: Rng): string {
  return `ghost-${randomText(rng, 1 + rng.int(20), 'abcdefghijklmnopqrstuvwxyz0123456789-_')}`;
}

function oddValueOtherThan(rng: Rng, isValid: (value: unknown) => boolean): unknown {
  for (;;) {
    const value = pick(rng, ODD_VALUES);
    if (!isValid(value)) return value;
  }
}

const isPositiveNumberUpTo10 = (value: unknown): boolean => typeof value === 'number' && value > 0 && value <= 10;
const isShortString = (value: unknown): boolean => typeof value === 'string' && value.length <= HTTP_LIMITS.descriptionLength;

function json(kind: string, method: string, path: string, body: unknown): FuzzCase {
  return { kind, transport: 'fetch', method, path, headers: { ...JSON_TYPE }, body: JSON.stringify(body) };
}

// ---- generators ------------------------------------------------------------------------------

function wrongTypes(rng: Rng): FuzzCase {
  const agent = pick(rng, KNOWN_AGENTS);
  switch (rng.int(4)) {
    case 0: {
      const field = pick(rng, ['learningRate', 'description', 'resetPolicy'] as const);
      const value = field === 'learningRate'
        ? oddValueOtherThan(rng, isPositiveNumberUpTo10)
        : field === 'description'
          ? oddValueOtherThan(rng, isShortString)
          : pick(rng, [null, 1, 'gxd', [], { replacementRate: 'fast' }, { kind: 'sometimes' }, { criterion: 5 }, { threshold: -1 }, { every: 0.5 }, { bogus: 1 }]);
      return json('wrong-type', 'PATCH', `/api/agents/${agent}`, { [field]: value });
    }
    case 1: {
      const field = pick(rng, ['network', 'layer', 'units'] as const);
      const valid = field === 'network'
        ? (value: unknown) => typeof value === 'string' && value.length > 0 && value.length <= 128
        : field === 'layer'
          ? (value: unknown) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 1024
          : (value: unknown) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1_000_000;
      return json('wrong-type', 'POST', `/api/agents/${agent}/reset`, { [field]: oddValueOtherThan(rng, valid) });
    }
    case 2: {
      const field = pick(rng, ['id', 'agent', 'env', 'seed', 'monitor', 'networks'] as const);
      const wrong: Record<string, unknown[]> = {
        id: [1, null, '', 'UPPER', 'has space', '-lead', 'x'.repeat(64), ['a'], {}],
        agent: [null, 'dqn', { kind: 'sarsa' }, { kind: 'dqn', bogus: 1 }, [], 3],
        env: [null, 'CartPole-v1', { id: '' }, { id: 5 }, { kind: 'x' }, []],
        seed: [-1, 1.5, 'seed', 2 ** 33, null],
        monitor: ['x', { windowLength: 0 }, { decay: 2 }, { resetPolicy: { kind: 'always' } }, []],
        networks: [{ engine: 'gpu' }, { hidden: [] }, { hidden: [0] }, 'wide'],
      };
      return json('wrong-type', 'POST', '/api/agents', { ...VALID_SPEC, id: `new-${rng.int(1e6)}`, [field]: pick(rng, wrong[field]) });
    }
    default:
      return json('wrong-type', 'POST', `/api/agents/${agent}/${pick(rng, ['pause', 'resume', 'checkpoint'])}`,
        pick(rng, [[], [1], { force: true }, { x: pick(rng, ODD_VALUES) }, { reason: 'because' }]));
  }
}

function missingFields(rng: Rng): FuzzCase {
  const agent = pick(rng, KNOWN_AGENTS);
  switch (rng.int(3)) {
    case 0: {
      const spec: Record<string, unknown> = { ...VALID_SPEC, id: `new-${rng.int(1e6)}` };
      for (const key of ['id', 'agent', 'env']) if (rng.bernoulli(0.5)) delete spec[key];
      if ('id' in spec && 'agent' in spec && 'env' in spec) delete spec[pick(rng, ['id', 'agent', 'env'])];
      return json('missing-field', 'POST', '/api/agents', spec);
    }
    case 1:
      return json('missing-field', 'PATCH', `/api/agents/${agent}`, pick(rng, [{}, { resetPolicy: undefined }]));
    default:
      return { kind: 'missing-field', transport: 'fetch', method: pick(rng, ['POST', 'PATCH']), path: pick(rng, ['/api/agents', `/api/agents/${agent}`]), headers: {} };
  }
}

function hugeBody(rng: Rng): FuzzCase {
  const size = HTTP_LIMITS.bodyBytes + 1 + (rng.bernoulli(0.1) ? rng.int(4_000_000) : rng.int(64 * 1024));
  const path = pick(rng, ['/api/agents', `/api/agents/${pick(rng, KNOWN_AGENTS)}`, `/api/agents/${pick(rng, KNOWN_AGENTS)}/${pick(rng, ACTIONS)}`]);
  const method = path.split('/').length === 4 ? 'PATCH' : 'POST';
  if (rng.bernoulli(0.4)) return { kind: 'huge-body', transport: 'fetch', method, path, headers: { ...JSON_TYPE }, streamBytes: size };
  const body = rng.bernoulli(0.5) ? `{"description":"${'x'.repeat(size)}"}` : `[${'1,'.repeat(size >> 1)}1]`;
  return { kind: 'huge-body', transport: 'fetch', method, path, headers: { ...JSON_TYPE }, body };
}

function unknownIds(rng: Rng): FuzzCase {
  const id = unknownId(rng);
  const routes: Array<[string, string, unknown]> = [
    ['GET', `/api/agents/${id}`, undefined],
    ['GET', `/api/agents/${id}/windows?since=${rng.int(100)}`, undefined],
    ['PATCH', `/api/agents/${id}`, { description: 'valid patch' }],
    ['DELETE', `/api/agents/${id}`, undefined],
    ...ACTIONS.map((action): [string, string, unknown] => ['POST', `/api/agents/${id}/${action}`, {}]),
  ];
  const [method, path, body] = pick(rng, routes);
  return body === undefined ? { kind: 'unknown-id', transport: 'fetch', method, path, headers: {} } : json('unknown-id', method, path, body);
}

/** Random text that happens to parse (say `{}`) would be a valid request: break it. */
function notJson(text: string): string {
  try {
    JSON.parse(text);
    return `${text},`;
  } catch {
    return text;
  }
}

function garbageJson(rng: Rng): FuzzCase {
  const valid = JSON.stringify({ ...VALID_SPEC, id: 'garbage' });
  const candidates = [
    '{', '}', '{"a":}', '{"a" 1}', 'nul', 'NaN', 'undefined', '[1,2', "{'a':1}", '{"a":1,}', '{"a":1}{"b":2}', 'true', '1', '"str"',
    '{"a":"\\x"}', '{"a":"\u0000"}', '\u0000', '['.repeat(5000), `${'['.repeat(5000)}${']'.repeat(5000)}`, `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
    `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`,
    valid.slice(0, 1 + rng.int(valid.length - 1)),
    notJson(randomText(rng, 1 + rng.int(200), '{}[]":,0123456789.eE+-truefalsnl \n\t\\')),
  ];
  let body: string | Uint8Array = pick(rng, candidates);
  if (rng.bernoulli(0.15)) body = Uint8Array.from({ length: 1 + rng.int(64) }, () => 0x80 + rng.int(128)); // invalid UTF-8
  const path = pick(rng, ['/api/agents', `/api/agents/${pick(rng, KNOWN_AGENTS)}`, `/api/agents/${pick(rng, KNOWN_AGENTS)}/${pick(rng, ACTIONS)}`]);
  const method = path.split('/').length === 4 ? 'PATCH' : 'POST';
  return { kind: 'garbage-json', transport: 'fetch', method, path, headers: { ...JSON_TYPE }, body };
}

function wrongContentType(rng: Rng): FuzzCase {
  const path = pick(rng, ['/api/agents', `/api/agents/${pick(rng, KNOWN_AGENTS)}`, `/api/agents/${pick(rng, KNOWN_AGENTS)}/${pick(rng, ACTIONS)}`]);
  const method = path.split('/').length === 4 ? 'PATCH' : 'POST';
  const type = pick(rng, [
    'text/plain', 'text/html', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded',
    'application/jsonx', 'json', 'application/octet-stream', 'application/json; charset=latin1', 'application/json; charset=utf-16',
    'image/png', '*/*', 'none',
  ]);
  const headers: Record<string, string> = type === 'none' ? {} : { 'content-type': type };
  if (rng.bernoulli(0.2)) headers['content-encoding'] = pick(rng, ['gzip', 'br', 'deflate', 'identity, gzip']);
  if (headers['content-encoding'] !== undefined && rng.bernoulli(0.5)) headers['content-type'] = 'application/json';
  return { kind: 'wrong-content-type', transport: 'fetch', method, path, headers, body: new TextEncoder().encode('{}') };
}

function weirdMethod(rng: Rng): FuzzCase {
  const agent = pick(rng, KNOWN_AGENTS);
  const wrongPairs: Array<[string, string]> = [
    ['GET', `/api/agents/${agent}/pause`], ['DELETE', '/api/agents'], ['POST', '/healthz'], ['PATCH', '/metrics'],
    ['PUT', `/api/agents/${agent}`], ['POST', `/api/agents/${agent}/windows`], ['DELETE', '/api/openapi.json'], ['POST', '/readyz'],
  ];
  if (rng.bernoulli(0.4)) {
    const [method, path] = pick(rng, wrongPairs);
    return { kind: 'weird-method', transport: 'fetch', method, path, headers: {} };
  }
  const method = pick(rng, ['PUT', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'PURGE', 'REPORT', 'MKCALENDAR', 'LINK', 'UNLINK', 'SUBSCRIBE', 'NOTIFY', 'M-SEARCH', 'ACL', 'BIND', 'MERGE']);
  const path = pick(rng, ['/api/agents', `/api/agents/${agent}`, `/api/agents/${agent}/reset`, '/metrics', '/', '/nowhere']);
  return { kind: 'weird-method', transport: 'fetch', method, path, headers: {} };
}

function oddPath(rng: Rng): FuzzCase {
  const segment = () => {
    const raw = randomText(rng, 1 + rng.int(30), ODD_ALPHABET);
    return rng.bernoulli(0.7) ? encodeURIComponent(raw) : pick(rng, ['..', '.', '%', '%zz', '%E0%A4%A', '%00', '%2F', '%2e%2e', '', raw.replace(/[^\x21-\x7e]/g, 'x').replace(/[?#]/g, '')]);
  };
  const segments = Array.from({ length: 1 + rng.int(6) }, segment);
  // A last segment that is empty would turn '/api/agents/' into a valid listing.
  if (segments[segments.length - 1] === '') segments[segments.length - 1] = '%20';
  const prefix = pick(rng, ['/api/agents/', '/api/', '/', '//', '/api/agents//', '/healthz/', '/assets/']);
  let path = prefix + segments.join('/');
  if (rng.bernoulli(0.1)) path += `/${'a'.repeat(1000 + rng.int(7000))}`;
  // Sent raw: fetch would normalise '..' and '%2e%2e' away.
  const method = pick(rng, ['GET', 'POST', 'DELETE', 'PATCH']);
  const body = method === 'GET' || method === 'DELETE' ? '' : '{}';
  const head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
    (body === '' ? '' : `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`);
  return { kind: 'odd-path', transport: 'raw', bytes: Buffer.from(`${head}\r\n${body}`, 'utf8') };
}

function badQuery(rng: Rng): FuzzCase {
  const bad = ['-1', 'abc', '1.5', '', '1e3', '0x10', '%201', '%D9%A1', '9'.repeat(16), '%00', 'Infinity', 'NaN', '+1', '1,2', '[]', '{}'];
  const agent = pick(rng, KNOWN_AGENTS);
  const parts: string[] = [];
  switch (rng.int(4)) {
    case 0: parts.push(`since=${pick(rng, bad)}`); break;
    case 1: parts.push(`limit=${pick(rng, [...bad, '0', String(HTTP_LIMITS.maxWindowsLimit + 1 + rng.int(1e6))])}`); break;
    case 2: parts.push(`since=${rng.int(10)}`, `since=${rng.int(10)}`); break;
    default: parts.push(`${pick(rng, ['sinse', 'from', 'token', 'limit[]', 'since[a]', '__proto__'])}=${rng.int(10)}`); break;
  }
  if (rng.bernoulli(0.3)) parts.push(`limit=${1 + rng.int(50)}`);
  return { kind: 'bad-query', transport: 'fetch', method: 'GET', path: `/api/agents/${agent}/windows?${rng.shuffle(parts).join('&')}`, headers: {} };
}

function rawParserReject(rng: Rng): FuzzCase {
  const request = pick(rng, [
    () => `${pick(rng, ['FOO', 'GETT', 'get', 'P0ST', 'DELETEE', 'HELLO', 'G\u0001T'])} /api/agents HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => `GET /api/agents HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(17_000 + rng.int(20_000))}\r\n\r\n`,
    () => `GET /${'p'.repeat(17_000 + rng.int(20_000))} HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => `GET /api/agents HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`,
    () => `POST /api/agents HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`,
    () => `POST /api/agents HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    () => `GET /api/agents HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n`,
    () => `${randomText(rng, 5 + rng.int(40), 'abc XYZ/\t:;')}\r\n\r\n`,
  ])();
  return { kind: 'parser-reject', transport: 'raw', bytes: Buffer.from(request, 'latin1') };
}

const GENERATORS: Array<[string, (rng: Rng) => FuzzCase]> = [
  ['wrong-type', wrongTypes], ['missing-field', missingFields], ['huge-body', hugeBody], ['unknown-id', unknownIds],
  ['garbage-json', garbageJson], ['wrong-content-type', wrongContentType], ['weird-method', weirdMethod],
  ['odd-path', oddPath], ['bad-query', badQuery], ['parser-reject', rawParserReject],
];

/** `count` cases cycling through every generator, in a seeded random order. */
export function generateCases(seed: number, count: number): FuzzCase[] {
  const rng = new Rng(seed);
  const cases = Array.from({ length: count }, (_, index) => GENERATORS[index % GENERATORS.length][1](rng));
  return rng.shuffle(cases);
}

/** Mutating requests with a valid shape but a missing or wrong token (for a server with a token). */
export function generateUnauthorizedCases(seed: number, count: number, token: string): FuzzCase[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (): FuzzCase => {
    const agent = pick(rng, KNOWN_AGENTS);
    const [method, path, body] = pick(rng, [
      ['POST', '/api/agents', { ...VALID_SPEC, id: `new-${rng.int(1e6)}` }],
      ['PATCH', `/api/agents/${agent}`, { description: 'x' }],
      ['DELETE', `/api/agents/${agent}`, undefined],
      ...ACTIONS.map((action): [string, string, unknown] => ['POST', `/api/agents/${agent}/${action}`, rng.bernoulli(0.5) ? {} : '{{garbage']),
    ] as Array<[string, string, unknown]>);
    const headers: Record<string, string> = body === undefined ? {} : { ...JSON_TYPE };
    const authorization = pick(rng, [undefined, `Bearer ${token}x`, `bearer ${token.slice(1)}`, `Basic ${token}`, token, 'Bearer', `Bearer ${randomText(rng, 40, 'abcdef0123456789')}`]);
    if (authorization !== undefined) headers.authorization = authorization;
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return { kind: 'unauthorized', transport: 'fetch', method, path, headers, body: text };
  });
}
