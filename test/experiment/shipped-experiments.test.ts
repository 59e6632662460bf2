import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadExperimentFile } from '../../src/experiment/schema.ts';
import { resolveExperiment } from '../../src/experiment/resolve.ts';
import { AgentRun } from '../../src/run/agent-run.ts';
import { prepareRun } from '../../src/run/build-run.ts';

const DIRECTORY = 'experiments';
const files = readdirSync(DIRECTORY).filter((name) => name.endsWith('.yaml')).sort();

describe('shipped experiment files', () => {
  it('include the four experiments of issue 7', () => {
    for (const name of ['slowly-changing-regression', 'permuted-mnist', 'cartpole-dqn-drift', 'pendulum-ppo-drift']) {
      assert.ok(files.includes(`${name}.yaml`), `experiments/${name}.yaml is missing`);
    }
  });

  for (const file of files) {
    it(`${file} resolves at every scale and builds and steps every method's run`, async () => {
      const { raw, file: parsed } = await loadExperimentFile(join(DIRECTORY, file));
      assert.equal(`${parsed.name}.yaml`, file, 'the file is named after its experiment');
      for (const scale of ['default', ...Object.keys(parsed.scales)]) {
        const { experiment } = resolveExperiment(raw, { scale });
        assert.ok(experiment.runs.length > 0);
      }
      const { experiment } = resolveExperiment(raw);
      const seen = new Set<string>();
      for (const run of experiment.runs) {
        if (seen.has(run.variant)) continue;
        seen.add(run.variant);
        await prepareRun(run.spec); // a MuJoCo env needs its engine loaded, as the daemon's and experiment's workers do
        const agentRun = new AgentRun({ spec: run.spec });
        try {
          assert.equal(agentRun.runFor(20).steps, 20);
        } finally {
          agentRun.dispose();
        }
      }
    });
  }
});
