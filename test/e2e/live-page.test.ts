/**
 * The live page at `/`, driven in real headless Chromium (Debian's `chromium` through playwright-core)
 * against the page harness (real FeedGateway + serveWebAssets, in-memory JSON routes) that publishes
 * synthetic run events on a timer. Also checks serveWebAssets' HTTP behaviour without a browser.
 * Leaves screenshots in test-artifacts/live-page.png (and live-page-dark.png).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { WEB_CONTENT_SECURITY_POLICY } from '../../src/daemon/web-assets.ts';
import { CHROMIUM_SKIP_REASON, launchChromium } from './helpers/chromium.ts';
import { startPageHarness } from './helpers/page-harness.ts';
import type { PageHarness } from './helpers/page-harness.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

interface PageStats {
  agents: number;
  selected: string | null;
  feed: { status: string; lastSeq: number; lastSince: number | null; connects: number; received: number; unitsReceived: number };
  events: number;
  badEvents: number;
  renders: number;
  windows: number;
  returnPoints: number;
  metricSeries: number;
  metricPoints: number;
  shifts: number;
  shiftMarkersDrawn: number;
  resetMarkersDrawn: number;
  resets: number;
  heatmapColumns: number;
  heatmapsDrawn: number;
}

const stats = (page: Page): Promise<PageStats> => page.evaluate(() => (globalThis as unknown as { __plasticd: { stats(): PageStats } }).__plasticd.stats());

/** The bits of the DOM the evaluate callbacks touch (the project's tsconfig has no DOM lib). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** Polls `read` until `accept` holds (or fails with the last value after `timeoutMs`). */
async function waitFor<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value)) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

describe('serveWebAssets', () => {
  let harness: PageHarness;
  before(async () => (harness = await startPageHarness()));
  after(async () => harness.close());

  it('serves the page with a strict CSP, no-cache and an ETag that answers 304', async () => {
    const response = await fetch(`${harness.url}/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('content-security-policy'), WEB_CONTENT_SECURITY_POLICY);
    assert.match(WEB_CONTENT_SECURITY_POLICY, /default-src 'none'/);
    assert.doesNotMatch(WEB_CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.match(await response.text(), /<title>plasticd/);
    const again = await fetch(`${harness.url}/`, { headers: { 'If-None-Match': response.headers.get('etag')! } });
    assert.equal(again.status, 304);
  });

  it('serves the modules, the stylesheet and uPlot from node_modules with their content types', async () => {
    for (const [path, type] of [
      ['/assets/app.js', 'text/javascript; charset=utf-8'],
      ['/assets/feed-client.js', 'text/javascript; charset=utf-8'],
      ['/assets/style.css', 'text/css; charset=utf-8'],
      ['/assets/vendor/uPlot.iife.min.js', 'text/javascript; charset=utf-8'],
      ['/assets/vendor/uPlot.min.css', 'text/css; charset=utf-8'],
    ]) {
      const response = await fetch(`${harness.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('content-type'), type, path);
      assert.ok((await response.arrayBuffer()).byteLength > 100, path);
    }
    const vendor = await fetch(`${harness.url}/assets/vendor/uPlot.iife.min.js`, { method: 'HEAD' });
    assert.match(vendor.headers.get('cache-control') ?? '', /max-age=86400/);
  });

  it('passes unknown paths, traversal attempts and other methods on to the next handler', async () => {
    for (const path of ['/assets/nope.js', '/assets/../package.json', '/assets/%2e%2e/web-assets.ts', '/api']) {
      const response = await fetch(`${harness.url}${path}`);
      assert.equal(response.status, 404, path);
      await response.arrayBuffer();
    }
    const post = await fetch(`${harness.url}/`, { method: 'POST' });
    assert.equal(post.status, 404);
    await post.arrayBuffer();
  });
});

describe('live page in headless Chromium', { skip: CHROMIUM_SKIP_REASON }, () => {
  let harness: PageHarness;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    harness = await startPageHarness();
    for (let k = 0; k < 6; k++) harness.tick(); // history for GET /windows and the feed ring
    harness.shift('cartpole-plain');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    harness.startTimer(250);
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('lists both agents with their state and environment', async () => {
    await page.goto(`${harness.url}/?token=${harness.token}`);
    await page.locator('[data-agent-id]').nth(1).waitFor({ timeout: 10_000 });
    assert.deepEqual(await page.locator('[data-agent-id]').evaluateAll((items) => items.map((item) => (item as unknown as { dataset: Record<string, string> }).dataset.agentId)), ['cartpole-gxd', 'cartpole-plain']);
    assert.equal(await page.locator('[data-agent-id="cartpole-gxd"] .badge').textContent(), 'running');
    assert.equal(await page.locator('[data-agent-id="cartpole-gxd"] .agent-env').textContent(), 'CartPole-v1/drifting-length');
    await waitFor('feed live', () => stats(page), (s) => s.feed.status === 'live');
    assert.equal(await page.locator('#build').textContent(), 'v0.1.0 · tfjs cpu');
  });

  it('renders the return and per-layer metric charts of the selected agent', async () => {
    await page.locator('[data-agent-id="cartpole-gxd"]').click();
    const first = await waitFor('charts with data', () => stats(page), (s) => s.selected === 'cartpole-gxd' && s.returnPoints > 6 && s.metricSeries === 4 && s.metricPoints >= 4 * 6);
    assert.equal(await page.locator('#return-chart canvas').count(), 1);
    assert.equal(await page.locator('#metric-chart canvas').count(), 1);
    await waitFor('chart data to grow from the feed', () => stats(page), (s) => s.returnPoints >= first.returnPoints + 4 && s.metricPoints >= first.metricPoints + 8 && s.windows > first.windows);
    const legend = await page.locator('#metric-chart .u-legend').textContent();
    assert.match(legend ?? '', /q\/dense_0.*q\/dense_1.*target\/dense_0.*target\/dense_1/s);
    await waitFor('reset markers and rows', () => stats(page), (s) => s.resetMarkersDrawn > 0 && s.resets > 0);
    assert.ok((await page.locator('#reset-table tbody tr').count()) > 0);
    assert.match((await page.locator('#reset-table tbody tr').first().textContent()) ?? '', /q \/ dense_1.*gxd/);
  });

  it('draws a shift marker after a shift event', async () => {
    const before = await stats(page);
    assert.equal(before.shiftMarkersDrawn, 0);
    harness.shift('cartpole-gxd');
    await waitFor('a shift marker', () => stats(page), (s) => s.shifts === 1 && s.shiftMarkersDrawn === 1);
  });

  it('paints the per-unit utility heatmap from units events', async () => {
    await waitFor('heatmap columns', () => stats(page), (s) => s.heatmapColumns >= 2 * 3);
    assert.equal(await page.locator('#heatmaps canvas').count(), 2);
    const painted = await page.locator('#heatmaps canvas').first().evaluate((canvas) => {
      const c = canvas as unknown as CanvasLike;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const colours = new Set<number>();
      for (let k = 0; k < data.length; k += 4) colours.add((data[k] << 16) | (data[k + 1] << 8) | data[k + 2]);
      return colours.size;
    });
    assert.ok(painted > 10, `heatmap has ${painted} distinct colours`);
    await waitFor('a few more windows', () => stats(page), (s) => s.heatmapColumns >= 2 * 12);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}live-page.png`, fullPage: true });
  });

  it('sends pause with the bearer token and shows the paused state', async () => {
    await page.locator('[data-agent-id="cartpole-gxd"] button[data-action="pause"]').click();
    const request = await waitFor('the pause request', async () => harness.requests.find((r) => r.method === 'POST' && r.path === '/api/agents/cartpole-gxd/pause'), (r) => r !== undefined);
    assert.equal(request!.authorization, `Bearer ${harness.token}`);
    await page.locator('[data-agent-id="cartpole-gxd"] .badge.paused').waitFor({ timeout: 5000 });
    assert.ok(await page.locator('[data-agent-id="cartpole-gxd"] button[data-action="resume"]').isVisible());
  });

  it('reconnects after the feed drops and resumes from its last feed seq', async () => {
    const before = await stats(page);
    assert.equal(before.feed.connects, 1);
    assert.ok(harness.dropFeedConnections() >= 2, 'the page holds two feed connections');
    const after = await waitFor('a reconnect', () => stats(page), (s) => s.feed.connects === 2 && s.feed.status === 'live');
    assert.ok(after.feed.lastSince !== null && after.feed.lastSince >= before.feed.lastSeq, `resubscribed with since=${after.feed.lastSince}`);
    await waitFor('events after the reconnect', () => stats(page), (s) => s.feed.lastSeq > after.feed.lastSeq + 5);
  });

  it('survives malformed events and logs no console errors', async () => {
    const before = await stats(page);
    const header = (agent: string, seq: number) => ({ agent, seq: 1e6 + seq, step: 30_000 + seq, time: 1 });
    const malformed: unknown[] = [
      { kind: 'window', ...header('cartpole-plain', 1), report: null },
      { kind: 'window', ...header('cartpole-gxd', 2), report: { window: 999, layers: [null, { network: 1 }, 'x'], performance: 'fast' } },
      { kind: 'episode', ...header('cartpole-gxd', 3), episode: 'ten', return: 'NaN' },
      { kind: 'state', ...header('cartpole-gxd', 4), state: 5 },
      { kind: 'shift', ...header('cartpole-gxd', 5), step: null, shift: {}, params: 3 },
      { kind: 'reset', ...header('cartpole-gxd', 6), reset: { units: 'abc', predictedCost: 'high', network: null } },
      { kind: 'units', ...header('cartpole-gxd', 7), network: 7, layers: 'x' },
      { kind: 'units', ...header('cartpole-gxd', 8), network: 'q', layers: [{ layer: 'dense_0', utilities: [null, 'x', -1, Infinity] }, 42] },
      { kind: 'state', agent: 'cartpole-gxd', seq: 'x', step: {}, time: null, state: 'running' },
    ];
    for (const event of malformed) harness.feed.publish(event as never);
    harness.tick();
    await waitFor('bad events counted', () => stats(page), (s) => s.badEvents >= before.badEvents + 3 && s.renders > before.renders + 2);
    assert.equal(await page.locator('[data-agent-id]').count(), 2);
    assert.ok(await page.locator('#return-chart canvas').isVisible());
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await stats(page);
    await waitFor('a render in the dark theme', () => stats(page), (s) => s.renders > dark.renders);
    await page.locator('#toast').evaluate((toast) => ((toast as unknown as { hidden: boolean }).hidden = true));
    await page.screenshot({ path: `${ARTIFACTS}live-page-dark.png`, fullPage: true });
    assert.deepEqual(consoleErrors, []);
  });
});
