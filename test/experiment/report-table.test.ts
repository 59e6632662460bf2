import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable } from '../../src/experiment/report.ts';

const experiment = {
  seeds: [0, 1],
  report: { phases: [{ name: 'first', from: 0, to: 10 }, { name: 'last', from: 90, to: 100 }], metrics: ['performance'] },
};
const cell = (mean: number) => ({ mean, standardError: 0.1, n: 2 });

describe('report tables', () => {
  it('end a performance table with last / first when every mean is positive (losses, accuracies)', () => {
    const lines = renderTable(experiment, { metric: 'performance', variants: ['bp', 'cbp'], cells: { bp: { first: cell(0.5), last: cell(1.1) }, cbp: { first: cell(0.5), last: cell(0.5) } } });
    assert.match(lines[0], /\| last \/ first \|$/);
    assert.match(lines[2], /\| 2\.20× \|$/);
    assert.match(lines[3], /\| 1\.00× \|$/);
  });

  it('end it with last − first when a mean is negative (returns), where a ratio would read backwards', () => {
    const lines = renderTable(experiment, { metric: 'performance', variants: ['none', 'gxd'], cells: { none: { first: cell(-1200), last: cell(-400) }, gxd: { first: cell(-1200), last: null } } });
    assert.match(lines[0], /\| last − first \|$/);
    assert.match(lines[2], /\| \+800\.0 \|$/);
    assert.match(lines[3], /\| — \| — \|$/);
  });

  it('add no comparison column to other metrics', () => {
    const lines = renderTable(experiment, { metric: 'model/hidden0/deadRatio', variants: ['bp'], cells: { bp: { first: cell(0.1), last: cell(0.8) } } });
    assert.equal(lines[0], '| method | first 0–10 | last 90–100 |');
  });
});
