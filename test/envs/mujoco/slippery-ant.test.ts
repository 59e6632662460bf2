import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AntEnv, captureEnvState, checkEnv, DriftingPhysics, loadMujoco, make, registrationOf, restoreEnvState } from '../../../envs/index.ts';

await loadMujoco();

function drive(env: ReturnType<typeof make>, steps: number): Array<{ step: number; friction: number }> {
  const shifts: Array<{ step: number; friction: number }> = [];
  env.reset({ seed: 5 });
  for (let i = 0; i < steps; i++) {
    const r = env.step(env.actionSpace.sample());
    const shift = r.info.shift as { params: { friction: number } } | undefined;
    if (shift) shifts.push({ step: i, friction: shift.params.friction });
    if (r.terminated || r.truncated) env.reset();
  }
  return shifts;
}

describe('plasticd/SlipperyAnt-v5', () => {
  it("is Ant-v5 with the paper's schedule: friction log-uniform in [0.02, 2] at the first episode end after 2M steps", () => {
    const registration = registrationOf('plasticd/SlipperyAnt-v5')!;
    assert.deepEqual(registration.kwargs, { everyAtEpisodeEnd: 2_000_000, parameter: 'friction', low: 0.02, high: 2 });
    const env = make('plasticd/SlipperyAnt-v5');
    assert.ok(env instanceof DriftingPhysics);
    assert.ok(env.unwrapped instanceof AntEnv);
    env.close();
  });

  it('changes every geom friction at episode ends, only after the interval, within [0.02, 2], and passes checkEnv', () => {
    const env = make('plasticd/SlipperyAnt-v5', { kwargs: { everyAtEpisodeEnd: 100, seed: 2 } });
    env.actionSpace.seed(4);
    const shifts = drive(env, 2000);
    assert.ok(shifts.length >= 2, `some shifts in 2000 steps (got ${shifts.length})`);
    for (const [k, s] of shifts.entries()) {
      assert.ok(s.friction >= 0.02 && s.friction <= 2, String(s.friction));
      if (k > 0) assert.ok(s.step - shifts[k - 1]!.step >= 100);
    }
    assert.equal((env.unwrapped as AntEnv).physics.friction, shifts.at(-1)!.friction);
    checkEnv(make('plasticd/SlipperyAnt-v5', { kwargs: { everyAtEpisodeEnd: 40 } }), { steps: 200 });
  });

  it('resumes its schedule and the friction from a captured state', () => {
    const kwargs = { everyAtEpisodeEnd: 200, seed: 9 };
    const a = make('plasticd/SlipperyAnt-v5', { kwargs });
    a.actionSpace.seed(1);
    drive(a, 700);
    const snapshot = captureEnvState(a);
    const b = make('plasticd/SlipperyAnt-v5', { kwargs });
    b.reset({ seed: 0 });
    restoreEnvState(b, snapshot);
    assert.deepEqual((b.unwrapped as AntEnv).physics, (a.unwrapped as AntEnv).physics);
    const actions = Array.from({ length: 100 }, (_, i) => Float32Array.from({ length: 8 }, (_, j) => Math.cos(i * 8 + j)));
    const run = (env: typeof a) => actions.map((action) => Array.from(env.step(action).observation));
    assert.deepEqual(run(b), run(a));
  });
});
