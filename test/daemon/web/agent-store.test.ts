/**
 * The live page's data model (src/daemon/web/agent-store.js, plain browser JS without a DOM) and
 * its axis labels: shift markers are kept for as long as the charts reach back, and bounded. Also
 * that every page module parses (a syntax error there only shows in a browser otherwise).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A computed specifier: the page's modules are plain JS without type declarations.
const web = (name: string): string => new URL(`../../../src/daemon/web/${name}`, import.meta.url).href;
const { AgentRecord, LIMITS } = await import(web('agent-store.js'));
const { formatCount } = await import(web('charts.js'));

const windowEvent = (window: number, step: number) => ({ kind: 'window', agent: 'a', seq: window, step, time: 0, report: { window, step, layers: [], performance: { loss: 0.01 } } });
const shiftEvent = (shift: number, step: number) => ({ kind: 'shift', agent: 'a', seq: 1e6 + shift, step, time: 0, shift, shiftKind: 'task', params: {} });

describe('AgentRecord (live page)', () => {
  it('keeps a shift marker for every window it keeps, even with a shift every window', () => {
    const agent = new AgentRecord('a');
    for (let k = 1; k <= LIMITS.windows; k++) {
      assert.ok(agent.apply(windowEvent(k, k * 100)));
      assert.ok(agent.apply(shiftEvent(k, k * 100 + 50)));
    }
    assert.equal(agent.windows.length, LIMITS.windows);
    assert.equal(agent.shifts.length, LIMITS.windows, 'no shift inside the charted range was dropped');
  });

  it('forgets shifts older than the oldest window kept once the window list is full', () => {
    const agent = new AgentRecord('a');
    for (let k = 1; k <= LIMITS.windows + 200; k++) {
      agent.apply(shiftEvent(k, k * 100 - 50));
      agent.apply(windowEvent(k, k * 100));
    }
    const oldest = agent.windows[0].step;
    assert.equal(oldest, 201 * 100);
    assert.ok(agent.shifts.every((shift: { step: number }) => shift.step >= oldest));
    assert.equal(agent.shifts[0].shift, 202);
    assert.equal(agent.shifts.at(-1).shift, LIMITS.windows + 200);
  });

  it('bounds the shifts by LIMITS.shifts when shifts come faster than windows', () => {
    const agent = new AgentRecord('a');
    agent.apply(windowEvent(1, 0));
    for (let k = 1; k <= LIMITS.shifts + 500; k++) agent.apply(shiftEvent(k, k));
    assert.equal(agent.shifts.length, LIMITS.shifts);
    assert.equal(agent.shifts.at(-1).shift, LIMITS.shifts + 500);
  });
});

describe('formatCount (live page axes)', () => {
  it('writes steps compactly and small losses with two significant digits', () => {
    assert.equal(formatCount(12_345), '12.3k');
    assert.equal(formatCount(2_500_000), '2.5M');
    assert.equal(formatCount(42), '42');
    assert.equal(formatCount(0.0031), '0.0031');
    assert.equal(formatCount(0.25), '0.25');
    assert.equal(formatCount(null), '–');
  });
});

describe('the live page modules', () => {
  it('all parse as JavaScript', () => {
    const dir = fileURLToPath(new URL('../../../src/daemon/web/', import.meta.url));
    const modules = readdirSync(dir).filter((name) => name.endsWith('.js'));
    assert.ok(modules.includes('app.js') && modules.length >= 5, modules.join(', '));
    for (const name of modules) {
      const result = spawnSync(process.execPath, ['--check', `${dir}${name}`], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(result.status, 0, `${name}: ${result.stderr}`);
    }
  });
});
