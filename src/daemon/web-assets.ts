/**
 * Serves the live page (`/`) and its assets from the package itself: `src/daemon/web/` (index.html,
 * app.js and its modules, style.css) and uPlot's two files from `node_modules/uplot/dist/`, resolved
 * with createRequire. No CDN, no build step. The handler has express's `(req, res, next)` shape but
 * needs nothing from express: mount it with `app.use(serveWebAssets())` after the API routes (it
 * answers only GET/HEAD of the paths below and calls `next()` for anything else).
 *
 * URL layout:
 *   /, /index.html                 the page (Cache-Control: no-cache, ETag)
 *   /assets/<file>                 our files in src/daemon/web/ (no-cache + ETag: URLs are not versioned)
 *   /assets/vendor/uPlot.iife.min.js, /assets/vendor/uPlot.min.css
 *                                  uPlot (public, max-age=86400 + ETag)
 * Every answer carries a strict Content-Security-Policy (scripts, styles and websockets from this
 * origin only; no inline script or style), nosniff, no-referrer and frame-ancestors 'none'.
 *
 * What the page expects from the daemon (the HTTP API in DESIGN.md, shapes assumed here):
 *   GET  /api/info                       optional: { name?, version?, backend? } (header build info)
 *   GET  /api/agents                     { agents: AgentSummary[] } (a bare array is accepted too);
 *        AgentSummary: { id, state, reason?, env? (string or { id }), steps?, episodes?, lastReturn? }
 *   GET  /api/agents/:id/windows?since=0 { windows: WindowEvent[] } (run-log windows with
 *        report.window > since; a bare array is accepted too)
 *   POST /api/agents/:id/pause|resume|checkpoint|reset   body {} ; errors as { error: { code, message } }
 * All requests send `Authorization: Bearer <token>` when the page has a token (`?token=` or the input).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PlasticdError } from '../util/errors.ts';

export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Our files under src/daemon/web/, by URL path. Only these are served (no directory walking). */
const OWN_FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/assets/app.js': 'app.js',
  '/assets/feed-client.js': 'feed-client.js',
  '/assets/agent-store.js': 'agent-store.js',
  '/assets/charts.js': 'charts.js',
  '/assets/heatmap.js': 'heatmap.js',
  '/assets/style.css': 'style.css',
  '/assets/favicon.svg': 'favicon.svg',
};

const VENDOR_FILES: Record<string, string> = {
  '/assets/vendor/uPlot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  '/assets/vendor/uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
  cacheControl: string;
}

export interface WebAssetsOptions {
  /** Folder of the page's own files. Default: `web/` next to this module. */
  webDir?: string;
  /** Re-read files on every request (for editing the page while the daemon runs). Default false. */
  reload?: boolean;
}

export type WebAssetsHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

function loadAsset(path: string, cacheControl: string): Asset {
  let body: Buffer;
  try {
    body = readFileSync(path);
  } catch (error) {
    throw new PlasticdError('web-asset-missing', `live page asset ${path} cannot be read (${(error as Error).message}); reinstall the package`);
  }
  const extension = path.slice(path.lastIndexOf('.') + 1);
  const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream', etag, cacheControl };
}

/** Builds the request handler; reads every asset once, up front, so a missing file fails at startup. */
export function serveWebAssets(options: WebAssetsOptions = {}): WebAssetsHandler {
  const webDir = options.webDir ?? fileURLToPath(new URL('./web/', import.meta.url));
  const require = createRequire(import.meta.url);
  const sources = new Map<string, { path: string; cacheControl: string }>();
  for (const [url, file] of Object.entries(OWN_FILES)) sources.set(url, { path: `${webDir.replace(/\/?$/, '/')}${file}`, cacheControl: 'no-cache' });
  for (const [url, id] of Object.entries(VENDOR_FILES)) sources.set(url, { path: require.resolve(id), cacheControl: 'public, max-age=86400' });
  const cache = new Map<string, Asset>();
  for (const [url, source] of sources) cache.set(url, loadAsset(source.path, source.cacheControl));
  const lookup = (url: string): Asset | undefined => {
    const source = sources.get(url);
    if (source === undefined) return undefined;
    return options.reload ? loadAsset(source.path, source.cacheControl) : cache.get(url);
  };

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const pathname = (req.url ?? '/').split('?', 1)[0];
    const asset = lookup(pathname);
    if (asset === undefined) return next();
    res.setHeader('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cache-Control', asset.cacheControl);
    res.setHeader('ETag', asset.etag);
    const ifNoneMatch = String(req.headers['if-none-match'] ?? '');
    if (ifNoneMatch.split(',').some((tag) => tag.trim() === asset.etag)) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', asset.contentType);
    res.setHeader('Content-Length', asset.body.length);
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };
}
