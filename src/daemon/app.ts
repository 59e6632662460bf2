/**
 * The HTTP API as an express 5 app factory (fastify-style: `buildApp(deps)` builds, the server
 * wiring listens, so tests drive it on any socket). One route table feeds both the router and the
 * OpenAPI document (openapi.ts). Every body and query is validated with the zod schemas in
 * src/config/; every failure is a JSON error from the catalogue in errors.ts.
 *
 * Auth: with a token, every mutating route (POST/PATCH/DELETE) needs `Authorization: Bearer <token>`
 * (checked before the body is read; constant-time compare). Reads (GET /api/…) stay open unless
 * `readsRequireToken` is set: they expose training metrics, not secrets, and the live page and
 * Prometheus can then work without credentials. /healthz, /readyz and /metrics never need it
 * (orchestrators and scrapers probe them). The websocket feed checks the same token itself
 * (feed/upgrade-auth.ts). Mount order: API routes, then the live page's assets, then 404.
 *
 *   GET    /api/agents                     { agents: AgentSummary[] }
 *   POST   /api/agents                     AgentSpec → 201 AgentDetail (Location: /api/agents/:id)
 *   GET    /api/agents/:id                 AgentDetail
 *   PATCH  /api/agents/:id                 AgentPatch → AgentDetail
 *   DELETE /api/agents/:id                 204
 *   POST   /api/agents/:id/pause|resume    {} or no body → AgentSummary
 *   POST   /api/agents/:id/checkpoint      {} or no body → { step, eventSeq }
 *   POST   /api/agents/:id/reset           ResetRequest or no body → { resets }
 *   GET    /api/agents/:id/windows         ?since=&limit= → { windows: WindowEvent[] }
 *   GET    /api/info, /api/openapi.json, /healthz, /readyz, /metrics
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express from 'express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import {
  agentIdParamsSchema,
  agentPatchSchema,
  agentSpecBodySchema,
  emptyBodySchema,
  HTTP_LIMITS,
  resetRequestSchema,
  windowsQuerySchema,
} from '../config/http-bodies.ts';
import type { SupervisorApi } from './supervisor-api.ts';
import { errorBody, errorHandler, HttpError } from './errors.ts';
import type { ErrorLogger, HttpErrorCode } from './errors.ts';
import { buildOpenApiDocument } from './openapi.ts';
import type { RouteDoc } from './openapi.ts';
import type { WebAssetsHandler } from './web-assets.ts';
import { hasToken } from './listen-guard.ts';

export interface AppLogger extends ErrorLogger {
  info(details: object, message: string): void;
}

export interface AppDependencies {
  supervisor: SupervisorApi;
  /** The app-owned prom-client registry served at GET /metrics. */
  registry: Registry;
  /** pino (or anything with its error/warn/info/debug(details, message) shape). */
  logger: AppLogger;
  /** When set (non-blank), mutating routes need `Authorization: Bearer <token>`. */
  token?: string;
  /** Also require the token on GET /api/… (not on /healthz, /readyz, /metrics). Default false. */
  readsRequireToken?: boolean;
  /** The live page handler (serveWebAssets()), mounted after the API routes. */
  webAssets?: WebAssetsHandler;
}

interface ApiRoute extends RouteDoc {
  handle(req: Request, res: Response): Promise<void> | void;
}

// ---- small helpers -------------------------------------------------------------------------

function sameSecret(candidate: string, token: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(candidate), digest(token));
}

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  return /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1];
}

function requireToken(token: string): RequestHandler {
  return (req, _res, next) => {
    const candidate = bearerToken(req);
    if (candidate === undefined) {
      next(new HttpError('unauthorized', 'This route needs `Authorization: Bearer <token>` (the daemon was started with a token).'));
    } else if (!sameSecret(candidate, token)) {
      next(new HttpError('unauthorized', 'The bearer token is wrong.'));
    } else {
      next();
    }
  };
}

/** Turns zod issues into a message naming each bad field, with the issues as details. */
function validationError(code: HttpErrorCode, what: string, error: z.ZodError): HttpError {
  const issues = error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), code: issue.code, message: issue.message }));
  const shown = issues.slice(0, 5).map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return new HttpError(code, `Invalid ${what}: ${shown}${more}.`, { issues: issues.slice(0, 50) });
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, code: HttpErrorCode, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(code, what, result.error);
  return result.data;
}

function agentId(req: Request): string {
  return parseWith(agentIdParamsSchema, { ...req.params }, 'invalid_id', 'agent id in the path').id;
}

const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * Reads a JSON body (415 for another media type, 413 above the limit, 400 for malformed JSON);
 * a request without a body gets `req.body === undefined`.
 */
function jsonBody(): RequestHandler[] {
  const parse = express.json({ limit: HTTP_LIMITS.bodyBytes, inflate: false, strict: true, type: () => true });
  const checkType: RequestHandler = (req, _res, next) => {
    if (!hasBody(req)) {
      req.body = undefined;
      next();
      return;
    }
    if (!req.is(['application/json', 'application/*+json'])) {
      const given = req.headers['content-type'] ?? 'none';
      next(new HttpError('unsupported_media_type', `The body must be application/json (got Content-Type: ${given}).`));
      return;
    }
    next();
  };
  const parseIfPresent: RequestHandler = (req, res, next) => (hasBody(req) ? parse(req, res, next) : next());
  return [checkType, parseIfPresent];
}

const requiredBody = (req: Request, what: string): unknown => {
  if (req.body === undefined) throw new HttpError('invalid_body', `A JSON body (${what}) is required.`);
  return req.body;
};

// ---- the app -------------------------------------------------------------------------------

export function buildApp(deps: AppDependencies): Express {
  const { supervisor, registry } = deps;
  const logger = deps.logger;
  const token = hasToken(deps.token) ? deps.token : undefined;
  const readsRequireToken = token !== undefined && deps.readsRequireToken === true;
  const COMMON_ERRORS = [400, 404];
  const AGENT_ACTION_ERRORS = [400, 404, 409, 413, 415];

  const routes: ApiRoute[] = [
    {
      method: 'get', path: '/api/agents', operationId: 'listAgents', summary: 'List agents', tags: ['agents'], authenticated: false,
      responses: { 200: { description: 'Every agent.', schema: 'AgentList' } }, errors: [],
      handle: (_req, res) => void res.json({ agents: supervisor.listAgents() }),
    },
    {
      method: 'post', path: '/api/agents', operationId: 'createAgent', summary: 'Create and start an agent', tags: ['agents'], authenticated: true,
      body: 'AgentSpec', bodyRequired: true,
      responses: { 201: { description: 'Created and started.', schema: 'AgentDetail' } }, errors: [400, 409, 413, 415],
      handle: async (req, res) => {
        const raw = requiredBody(req, 'an AgentSpec');
        parseWith(agentSpecBodySchema, raw, 'invalid_spec', 'agent spec');
        // The supervisor parses (and stores) the spec itself; the app only rejects bad ones early.
        const detail = await supervisor.createAgent(raw);
        res.status(201).location(`/api/agents/${encodeURIComponent(detail.id)}`).json(detail);
      },
    },
    {
      method: 'get', path: '/api/agents/:id', operationId: 'getAgent', summary: 'One agent with its spec and last window', tags: ['agents'], authenticated: false,
      responses: { 200: { description: 'The agent.', schema: 'AgentDetail' } }, errors: COMMON_ERRORS,
      handle: (req, res) => void res.json(supervisor.getAgent(agentId(req))),
    },
    {
      method: 'patch', path: '/api/agents/:id', operationId: 'patchAgent', summary: 'Change reset policy, learning rate or description', tags: ['agents'], authenticated: true,
      body: 'AgentPatch', bodyRequired: true,
      responses: { 200: { description: 'The changed agent.', schema: 'AgentDetail' } }, errors: AGENT_ACTION_ERRORS,
      handle: async (req, res) => {
        const id = agentId(req);
        const patch = parseWith(agentPatchSchema, requiredBody(req, 'an AgentPatch'), 'invalid_body', 'patch');
        res.json(await supervisor.patchAgent(id, patch));
      },
    },
    {
      method: 'delete', path: '/api/agents/:id', operationId: 'deleteAgent', summary: 'Stop an agent and delete its data', tags: ['agents'], authenticated: true,
      responses: { 204: { description: 'Deleted.' } }, errors: [400, 404, 409],
      handle: async (req, res) => {
        await supervisor.deleteAgent(agentId(req));
        res.status(204).end();
      },
    },
    ...(['pause', 'resume'] as const).map((action): ApiRoute => ({
      method: 'post', path: `/api/agents/:id/${action}`, operationId: `${action}Agent`, summary: `${action === 'pause' ? 'Pause' : 'Resume'} an agent`, tags: ['control'],
      authenticated: true, body: 'EmptyBody', bodyRequired: false,
      responses: { 200: { description: 'The agent after the change.', schema: 'AgentSummary' } }, errors: AGENT_ACTION_ERRORS,
      handle: async (req, res) => {
        const id = agentId(req);
        parseWith(emptyBodySchema, req.body ?? {}, 'invalid_body', `${action} body (send {} or nothing)`);
        res.json(action === 'pause' ? await supervisor.pauseAgent(id) : await supervisor.resumeAgent(id));
      },
    })),
    {
      method: 'post', path: '/api/agents/:id/checkpoint', operationId: 'checkpointAgent', summary: 'Write a checkpoint now', tags: ['control'], authenticated: true,
      body: 'EmptyBody', bodyRequired: false,
      responses: { 200: { description: 'The checkpoint written.', schema: 'CheckpointResult' } }, errors: AGENT_ACTION_ERRORS,
      handle: async (req, res) => {
        const id = agentId(req);
        parseWith(emptyBodySchema, req.body ?? {}, 'invalid_body', 'checkpoint body (send {} or nothing)');
        res.json(await supervisor.checkpointAgent(id));
      },
    },
    {
      method: 'post', path: '/api/agents/:id/reset', operationId: 'resetAgentUnits', summary: 'Reset units now', tags: ['control'], authenticated: true,
      body: 'ResetRequest', bodyRequired: false,
      responses: { 200: { description: 'How many units were reset.', schema: 'ResetResult' } }, errors: AGENT_ACTION_ERRORS,
      handle: async (req, res) => {
        const id = agentId(req);
        const request = parseWith(resetRequestSchema, req.body ?? {}, 'invalid_body', 'reset request');
        res.json(await supervisor.resetAgentUnits(id, request));
      },
    },
    {
      method: 'get', path: '/api/agents/:id/windows', operationId: 'listWindows', summary: 'Window history from the run log (report.window > since, ascending)', tags: ['agents'],
      authenticated: false, query: 'WindowsQuery',
      responses: { 200: { description: 'Windows after `since`, at most `limit` (default 10000).', schema: 'WindowList' } }, errors: COMMON_ERRORS,
      handle: async (req, res) => {
        const id = agentId(req);
        const query = parseWith(windowsQuerySchema, { ...(req.query as Record<string, unknown>) }, 'invalid_query', 'windows query');
        res.json({ windows: await supervisor.windows(id, query) });
      },
    },
    {
      method: 'get', path: '/api/info', operationId: 'getInfo', summary: 'Build and runtime information', tags: ['service'], authenticated: false,
      responses: { 200: { description: 'Name, version, tfjs backend, start time, data dir.', schema: 'Info' } }, errors: [],
      handle: (_req, res) => void res.json(supervisor.info()),
    },
    {
      method: 'get', path: '/api/openapi.json', operationId: 'getOpenApi', summary: 'This document', tags: ['service'], authenticated: false,
      responses: { 200: { description: 'OpenAPI 3.1 document.' } }, errors: [],
      handle: (_req, res) => void res.json(openApiDocument),
    },
    {
      method: 'get', path: '/healthz', operationId: 'getHealth', summary: 'Liveness: 200 while the process serves', tags: ['service'], authenticated: false,
      responses: { 200: { description: 'Alive.', schema: 'Health' } }, errors: [],
      handle: (_req, res) => void res.set('Cache-Control', 'no-store').json({ status: 'ok' }),
    },
    {
      method: 'get', path: '/readyz', operationId: 'getReadiness', summary: 'Readiness: 200 once every agent on disk has resumed; 503 while starting or shutting down', tags: ['service'],
      authenticated: false, responses: { 200: { description: 'Ready.', schema: 'Health' } }, errors: [503],
      handle: (_req, res) => {
        res.set('Cache-Control', 'no-store');
        if (supervisor.ready()) res.json({ status: 'ready' });
        else res.status(503).json(errorBody('not_ready', 'The daemon is starting (resuming agents) or shutting down.'));
      },
    },
    {
      method: 'get', path: '/metrics', operationId: 'getMetrics', summary: 'Prometheus metrics', tags: ['service'], authenticated: false,
      responses: { 200: { description: 'Prometheus text exposition format.', mediaType: 'text/plain' } }, errors: [],
      handle: async (_req, res) => {
        const text = await registry.metrics();
        res.set('Content-Type', registry.contentType).set('Cache-Control', 'no-store').send(text);
      },
    },
  ];

  const openApiDocument = buildOpenApiDocument({
    routes,
    version: safeVersion(supervisor),
    tokenRequired: token !== undefined,
    readsRequireToken,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });

  const byPath = new Map<string, ApiRoute[]>();
  for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  for (const [path, pathRoutes] of byPath) {
    const allow = pathRoutes.flatMap((route) => (route.method === 'get' ? ['GET', 'HEAD'] : [route.method.toUpperCase()]));
    const expressRoute = app.route(path);
    for (const route of pathRoutes) {
      const chain: RequestHandler[] = [];
      const needsToken = token !== undefined && (route.authenticated || (readsRequireToken && path.startsWith('/api/')));
      if (needsToken) chain.push(requireToken(token));
      if (route.method === 'post' || route.method === 'patch') chain.push(...jsonBody());
      const handle = route.handle;
      chain.push(async (req, res) => {
        await handle(req, res);
        if (route.authenticated) logger.info({ method: req.method, path: req.path, status: res.statusCode }, 'api change');
      });
      expressRoute[route.method](...chain);
    }
    expressRoute.all((req: Request, res: Response, next: NextFunction) => {
      res.set('Allow', [...allow, 'OPTIONS'].join(', '));
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      next(new HttpError('method_not_allowed', `${req.method} is not allowed on ${path}; allowed: ${allow.join(', ')}.`));
    });
  }

  if (deps.webAssets !== undefined) {
    const serve = deps.webAssets;
    app.use((req, res, next) => serve(req, res, next));
  }
  app.use((req, _res, next) => {
    next(new HttpError('not_found', `No route ${req.method} ${req.path.length > 200 ? `${req.path.slice(0, 200)}…` : req.path}. See /api/openapi.json.`));
  });
  app.use(errorHandler(logger));
  return app;
}

function safeVersion(supervisor: SupervisorApi): string {
  try {
    return supervisor.info().version;
  } catch {
    return '0.0.0';
  }
}
