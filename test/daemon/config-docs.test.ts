/**
 * docs/configuration.md is generated from the zod schemas (src/config/config-docs.ts): it must be up
 * to date, list every key of the daemon config, agent spec and monitor config, and give each a meaning.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIGURATION_DOC, renderConfigurationDoc, undocumentedKeys } from '../../src/config/config-docs.ts';
import { daemonConfigSchema } from '../../src/config/daemon-config.ts';
import { monitorConfigSchema, resetPolicyConfigSchema } from '../../src/config/monitor-config.ts';

describe('docs/configuration.md', () => {
  const text = renderConfigurationDoc();

  it('is up to date with the schemas (regenerate: node --import tsx src/config/config-docs.ts)', () => {
    assert.equal(readFileSync(CONFIGURATION_DOC, 'utf8'), text);
  });

  it('lists every key of the daemon config, the monitor config and the reset policy', () => {
    for (const schema of [daemonConfigSchema, monitorConfigSchema, resetPolicyConfigSchema]) {
      for (const key of Object.keys(schema.shape)) assert.match(text, new RegExp(`\\| \`${key}\` \\|`), key);
    }
  });

  it('gives every key a meaning, its type and its default', () => {
    assert.deepEqual(undocumentedKeys(), []);
    assert.match(text, /\| `checkpointEverySeconds` \| number \(≥ 1, ≤ 86400\) \| `60` \| Seconds between periodic checkpoints/);
    assert.match(text, /\| `replacementRate` \| number \(≥ 0, ≤ 1\) \| `0.0001` \| ρ, expected replacements/);
    assert.match(text, /\| `id` \| string \(matches `[^`]+`\) \| \*\*required\*\* \|/);
    assert.match(text, /\| `bufferSize` \| integer \(> 0\) \| `100000` \| Replay capacity/);
    assert.match(text, /\| `agent` \| one of \[agent \(kind: dqn\)\]\(#agent-dqn\), \[agent \(kind: ppo\)\]\(#agent-ppo\), \[agent \(kind: stream-ac\)\]\(#agent-stream-ac\), \[agent \(kind: continual\)\]\(#agent-continual\) \| \*\*required\*\*/);
  });
});
