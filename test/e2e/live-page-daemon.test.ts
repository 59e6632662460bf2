/**
 * The live page of the REAL daemon (`plasticd serve` in a child process, agents in worker threads) in
 * headless Chromium (Debian's `chromium` through playwright-core): the agents list, the return /
 * loss chart and the per-layer metric chart growing from the feed, the utility heatmap painted from
 * `units` events, a shift marker, and pause/resume from the page changing the state through the
 * real API. Saves test-artifacts/live-page-daemon.png (DQN) and live-page-daemon-stream.png (a
 * supervised stream, whose chart is the online loss).
 * (Reconnects and malformed events: live-page.test.ts, against the page harness.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_SKIP_REASON, launchChromium } from './helpers/chromium.ts';
import { DaemonFixture, getJson, waitFor as poll } from './helpers/daemon.ts';
import type { DaemonProcess } from './helpers/daemon.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const TINY_MONITOR = { probeSize: 32, audit: null, curvature: null };

const CONFIG = {
  agents: [
    {
      id: 'cartpole-gxd',
      seed: 3,
      windowLength: 200,
      env: { id: 'plasticd/DriftingCartPole-v1', kwargs: { every: 600 } },
      agent: { kind: 'dqn', hidden: [32, 32], learningStarts: 100, bufferSize: 2000, batchSize: 16, explorationSteps: 500, trainFrequency: 2 },
      networks: { engine: 'typed' },
      monitor: { ...TINY_MONITOR, resetPolicy: { kind: 'replacement-rate', criterion: 'gxd', replacementRate: 0.001, maturityThreshold: 20 } },
    },
    {
      id: 'bits-plain',
      seed: 4,
      windowLength: 500,
      stream: { id: 'bit-flipping', options: { flipAfter: 1000 } },
      agent: { kind: 'continual', hiddenUnits: [16] },
      networks: { engine: 'typed' },
      monitor: { ...TINY_MONITOR, resetPolicy: { kind: 'none' } },
    },
  ],
};

interface PageStats {
  agents: number;
  selected: string | null;
  feed: { status: string; lastSeq: number };
  badEvents: number;
  windows: number;
  returnPoints: number;
  returnAxisLabel: string | null;
  metricSeries: number;
  metricPoints: number;
  shifts: number;
  shiftMarkersDrawn: number;
  heatmapColumns: number;
  heatmapsDrawn: number;
}

/** The bits of the DOM the evaluate callbacks touch (the project's tsconfig has no DOM lib). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

const stats = (page: Page): Promise<PageStats> => page.evaluate(() => (globalThis as unknown as { __plasticd: { stats(): PageStats } }).__plasticd.stats());

async function waitForStats(page: Page, what: string, accept: (s: PageStats) => boolean, timeoutMs = 45_000): Promise<PageStats> {
  let last: PageStats | undefined;
  try {
    return await poll(what, async () => {
      last = await stats(page);
      return accept(last) ? last : undefined;
    }, timeoutMs, 200);
  } catch (error) {
    throw new Error(`${(error as Error).message}; last page stats: ${JSON.stringify(last)}`);
  }
}

async function agentState(url: string, id: string): Promise<string> {
  return (await getJson<{ state: string }>(`${url}/api/agents/${id}`)).body.state;
}

describe('the real daemon live page in headless Chromium', { skip: CHROMIUM_SKIP_REASON, timeout: 240_000 }, () => {
  const fixture = new DaemonFixture();
  let daemon: DaemonProcess;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    await fixture.setup(CONFIG);
    [daemon, browser] = await Promise.all([fixture.start(), launchChromium()]);
    await poll('readiness', async () => (await getJson(`${daemon.url}/readyz`)).status === 200, 120_000);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  });

  after(async () => {
    await browser?.close();
    await fixture.stop();
  });

  it('lists the agents with their state and environment, and goes live on the feed', async () => {
    await page.goto(`${daemon.url}/`);
    await page.locator('[data-agent-id]').nth(1).waitFor({ timeout: 30_000 });
    const ids = await page.locator('[data-agent-id]').evaluateAll((items) => items.map((item) => (item as unknown as { dataset: Record<string, string> }).dataset.agentId));
    assert.deepEqual(ids, ['bits-plain', 'cartpole-gxd']);
    assert.equal(await page.locator('[data-agent-id="cartpole-gxd"] .agent-env').textContent(), 'plasticd/DriftingCartPole-v1');
    assert.equal(await page.locator('[data-agent-id="bits-plain"] .agent-env').textContent(), 'stream:bit-flipping');
    await page.locator('[data-agent-id="cartpole-gxd"] .badge.running').waitFor({ timeout: 60_000 });
    await waitForStats(page, 'feed live', (s) => s.feed.status === 'live');
    assert.match((await page.locator('#build').textContent()) ?? '', /^v\d+\.\d+\.\d+ · tfjs \S+/);
  });

  it('grows the return and per-layer metric charts of a DQN from the feed', async () => {
    await page.locator('[data-agent-id="cartpole-gxd"]').click();
    const first = await waitForStats(page, 'charts with data', (s) => s.selected === 'cartpole-gxd' && s.returnPoints > 0 && s.metricSeries >= 2 && s.metricPoints > 0);
    assert.equal(first.returnAxisLabel, 'return');
    assert.equal(await page.locator('#return-title').textContent(), 'Return');
    assert.equal(await page.locator('#return-chart canvas').count(), 1);
    assert.equal(await page.locator('#metric-chart canvas').count(), 1);
    await waitForStats(page, 'chart data to grow from the feed', (s) => s.windows >= first.windows + 2 && s.returnPoints > first.returnPoints && s.metricPoints > first.metricPoints);
    const legend = await page.locator('#metric-chart .u-legend').textContent();
    assert.match(legend ?? '', /q\/hidden0.*q\/hidden1/s);
  });

  it('draws a shift marker when the environment shifts', async () => {
    await waitForStats(page, 'a shift marker', (s) => s.shifts >= 1 && s.shiftMarkersDrawn >= 1);
  });

  it('paints the per-unit utility heatmap from units events', async () => {
    const painted = await waitForStats(page, 'heatmap columns', (s) => s.heatmapColumns >= 2 && s.heatmapsDrawn > 0);
    assert.ok(painted.heatmapColumns >= 2);
    assert.ok((await page.locator('#heatmaps canvas').count()) >= 1);
    const colours = await page.locator('#heatmaps canvas').first().evaluate((canvas) => {
      const c = canvas as unknown as CanvasLike;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let k = 0; k < data.length; k += 4) seen.add((data[k] << 16) | (data[k + 1] << 8) | data[k + 2]);
      return seen.size;
    });
    assert.ok(colours > 5, `heatmap has ${colours} distinct colours`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}live-page-daemon.png`, fullPage: true });
  });

  it('pauses and resumes an agent from the page through the real API', async () => {
    await page.locator('[data-agent-id="cartpole-gxd"] button[data-action="pause"]').click();
    await page.locator('[data-agent-id="cartpole-gxd"] .badge.paused').waitFor({ timeout: 30_000 });
    assert.equal(await agentState(daemon.url, 'cartpole-gxd'), 'paused');
    const steps = (await getJson<{ steps: number }>(`${daemon.url}/api/agents/cartpole-gxd`)).body.steps;
    await page.locator('[data-agent-id="cartpole-gxd"] button[data-action="resume"]').click();
    await page.locator('[data-agent-id="cartpole-gxd"] .badge.running').waitFor({ timeout: 30_000 });
    assert.equal(await agentState(daemon.url, 'cartpole-gxd'), 'running');
    await poll('training after resume', async () => (await getJson<{ steps: number }>(`${daemon.url}/api/agents/cartpole-gxd`)).body.steps > steps, 60_000);
  });

  it('plots the online loss, labelled as such, for a supervised-stream agent', async () => {
    await page.locator('[data-agent-id="bits-plain"]').click();
    // The chart is redrawn on the next animation frame after the click: wait for the loss axis.
    const loss = await waitForStats(page, 'the loss chart', (s) => s.selected === 'bits-plain' && s.returnAxisLabel === 'loss' && s.returnPoints >= 2 && s.shiftMarkersDrawn >= 1);
    assert.equal(await page.locator('#return-title').textContent(), 'Online loss');
    assert.match((await page.locator('[data-agent-id="bits-plain"] .agent-stats').textContent()) ?? '', /· loss /);
    assert.doesNotMatch((await page.locator('#detail-counters').textContent()) ?? '', /episodes/);
    assert.equal(await page.locator('#return-key-line').textContent(), 'window loss');
    assert.ok(await page.locator('#return-key-episodes').isHidden());
    assert.doesNotMatch((await page.locator('#return-chart .u-legend').textContent()) ?? '', /episode/);
    await page.screenshot({ path: `${ARTIFACTS}live-page-daemon-stream.png`, fullPage: true });
    assert.equal(loss.badEvents, 0, 'every event of the real daemon is understood by the page');
    assert.deepEqual(consoleErrors, []);
  });
});
