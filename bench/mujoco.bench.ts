/**
 * MuJoCo speed, side by side in one run:
 * - per env, env steps per second of (a) the native MuJoCo C library stepping the same model XML as
 *   Gymnasium's MujocoEnv does (frame_skip × mj_step + mj_rnePostConstraint, random controls, no resets:
 *   bench/reference/mujoco_step.c, built here when `cc` and Debian's libmujoco-dev are installed; it is
 *   the engine under Gymnasium's env, without Gymnasium's Python), (b) the same loop on the WebAssembly
 *   engine plasticd uses, and (c) plasticd's whole env through make(id) (random actions, rewards,
 *   observations, resets), with (b) and (c) as ratios of (a);
 * - PPO on Ant-v5 with the Slippery Ant experiment's settings (256 × 256 actor and critic, 2048-step
 *   rollouts, 160 minibatch updates each), env steps per CPU-second without the monitor and with it
 *   (the experiment's gxd method: GXD utilities every update, window reports, GXD resets).
 * Run alone: `npm run bench -- mujoco [--env-steps=20000] [--ppo-steps=4096]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMujoco, make } from '../envs/index.ts';
import { resolveExperiment } from '../src/experiment/resolve.ts';
import { loadExperimentFile } from '../src/experiment/schema.ts';
import type { AgentSpecInput } from '../src/config/agent-spec.ts';
import { measure, monitoredRunner, plainRunner } from './agents.bench.ts';

const ENVS = [
  { id: 'Ant-v5', xml: 'ant.xml', frameSkip: 5 },
  { id: 'HalfCheetah-v5', xml: 'half_cheetah.xml', frameSkip: 5 },
  { id: 'Hopper-v5', xml: 'hopper.xml', frameSkip: 4 },
  { id: 'Walker2d-v5', xml: 'walker2d_v5.xml', frameSkip: 4 },
];
const ASSETS = fileURLToPath(new URL('../envs/mujoco/assets/', import.meta.url));

function argument(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

/** Builds the native reference; null (with the reason printed) when no compiler or libmujoco. */
function buildNative(dir: string): string | null {
  const binary = join(dir, 'mujoco_step');
  const source = fileURLToPath(new URL('./reference/mujoco_step.c', import.meta.url));
  const built = spawnSync('cc', ['-O2', '-o', binary, source, '-lmujoco'], { encoding: 'utf8' });
  if (built.status !== 0) {
    console.log(`native MuJoCo column skipped: cannot build ${source} (apt-get install libmujoco-dev): ${(built.stderr ?? String(built.error)).trim().split('\n')[0]}`);
    return null;
  }
  return binary;
}

function nativeRate(binary: string, xml: string, frameSkip: number, steps: number): number | string {
  const run = spawnSync(binary, [join(ASSETS, xml), String(frameSkip), String(steps)], { encoding: 'utf8' });
  if (run.status !== 0) return `n/a (${run.stderr.trim().split('\n')[0]?.replace(/^cannot load \S+: /, '')})`;
  return Number(run.stdout.trim());
}

/** The same loop as the C reference on the WebAssembly engine. */
async function wasmRate(xml: string, frameSkip: number, steps: number): Promise<number> {
  const engine = await loadMujoco();
  const model = engine.MjModel.from_xml_string(readFileSync(join(ASSETS, xml), 'utf8'));
  const data = new engine.MjData(model);
  try {
    const range = model.actuator_ctrlrange as Float64Array;
    const ctrl = data.ctrl as Float64Array;
    let state = 0x2545f491;
    const uniform = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    const started = performance.now();
    for (let s = 0; s < steps; s++) {
      for (let i = 0; i < model.nu; i++) ctrl[i] = range[2 * i]! + (range[2 * i + 1]! - range[2 * i]!) * uniform();
      for (let k = 0; k < frameSkip; k++) engine.mj_step(model, data);
      engine.mj_rnePostConstraint(model, data);
    }
    return steps / ((performance.now() - started) / 1000);
  } finally {
    data.delete();
    model.delete();
  }
}

/** plasticd's env: make(id), random actions, resets at episode ends. */
function envRate(id: string, steps: number): { rate: number; episodes: number } {
  const env = make(id);
  env.actionSpace.seed(1);
  env.reset({ seed: 1 });
  let episodes = 0;
  const started = performance.now();
  for (let s = 0; s < steps; s++) {
    const result = env.step(env.actionSpace.sample());
    if (result.terminated || result.truncated) {
      episodes++;
      env.reset();
    }
  }
  const rate = steps / ((performance.now() - started) / 1000);
  env.close();
  return { rate, episodes };
}

async function antPpoSpec(): Promise<AgentSpecInput> {
  const { raw } = await loadExperimentFile(fileURLToPath(new URL('../experiments/slippery-ant.yaml', import.meta.url)));
  const run = resolveExperiment(raw).experiment.runs.find((r) => r.variant === 'gxd')!;
  return { ...run.spec, id: 'bench-ppo-ant', env: { ...run.spec.env!, id: 'Ant-v5', kwargs: {} } } as AgentSpecInput;
}

export default async function mujocoBench(): Promise<void> {
  const envSteps = Number(argument('env-steps') ?? 20_000);
  const ppoSteps = Number(argument('ppo-steps') ?? 4096);
  await loadMujoco();
  const dir = mkdtempSync(join(tmpdir(), 'plasticd-mujoco-bench-'));
  try {
    const native = buildNative(dir);
    console.log(`Env steps per second, ${envSteps.toLocaleString('en-US')} steps each (random controls; the native and wasm loops never reset, plasticd's env resets at episode ends)`);
    console.log('| env | native MuJoCo (C) | wasm engine loop | plasticd env (make) | episodes | wasm / native | env / native |');
    console.log('|---|---|---|---|---|---|---|');
    for (const { id, xml, frameSkip } of ENVS) {
      const nativeResult = native === null ? 'not built' : nativeRate(native, xml, frameSkip, envSteps);
      const wasm = await wasmRate(xml, frameSkip, envSteps);
      const env = envRate(id, envSteps);
      const ratio = (value: number) => (typeof nativeResult === 'number' ? `${(value / nativeResult).toFixed(2)}×` : '–');
      const cell = typeof nativeResult === 'number' ? Math.round(nativeResult).toLocaleString('en-US') : nativeResult;
      console.log(`| ${id} | ${cell} | ${Math.round(wasm).toLocaleString('en-US')} | ${Math.round(env.rate).toLocaleString('en-US')} | ${env.episodes} | ${ratio(wasm)} | ${ratio(env.rate)} |`);
    }
    const spec = await antPpoSpec();
    const without = measure(plainRunner(spec), 2048, ppoSteps);
    const withMonitor = measure(monitoredRunner(spec), 2048, ppoSteps);
    console.log(`\nPPO on Ant-v5 (experiments/slippery-ant.yaml, method gxd), env steps per CPU-second over ${ppoSteps.toLocaleString('en-US')} steps after a 2,048-step warm-up`);
    console.log('| monitor off | monitor on (GXD resets) | slowdown (off / on) |');
    console.log('|---|---|---|');
    console.log(`| ${Math.round(without).toLocaleString('en-US')} | ${Math.round(withMonitor).toLocaleString('en-US')} | ${(without / withMonitor).toFixed(2)}× |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await mujocoBench();
