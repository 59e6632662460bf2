/**
 * A short tour of the environments, printed by `npm start` until the daemon lands: a few seeded
 * random-policy episodes of CartPole-v1 and of a couple of nonstationary variants (with any
 * `info.shift` events they report), then the list of registered ids.
 */
import { make, RecordEpisodeStatistics, registeredIds, registrationOf } from '../envs/index.ts';
import type { Env, EpisodeStatistics } from '../envs/index.ts';

const SEED = 7;
const EPISODES = 3;
/** Stop a demo run after this many steps even if episodes are long (e.g. MountainCarContinuous). */
const MAX_STEPS = 3000;
/** Nonstationary ids shift every 20k steps by default; the demo asks for a shift every 60 steps. */
const DEMO_SHIFT_EVERY = 60;

function roundNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(3)) : value;
}

function makeForDemo(id: string): { env: Env<any, any>; note: string } {
  if (!id.startsWith('plasticd/')) return { env: make(id), note: '' };
  try {
    return { env: make(id, { kwargs: { every: DEMO_SHIFT_EVERY } }), note: `, shifting every ${DEMO_SHIFT_EVERY} steps` };
  } catch {
    return { env: make(id), note: '' };
  }
}

function runEpisodes(id: string): void {
  const made = makeForDemo(id);
  const env = new RecordEpisodeStatistics(made.env, { clock: () => 0 });
  env.actionSpace.seed(SEED);
  env.reset({ seed: SEED });
  const lines: string[] = [];
  let steps = 0;
  while (env.episodeCount < EPISODES && steps < MAX_STEPS) {
    const { terminated, truncated, info } = env.step(env.actionSpace.sample());
    steps++;
    if (info.shift) lines.push(`    step ${steps}: shift ${JSON.stringify(info.shift, roundNumbers)}`);
    if (terminated || truncated) {
      const { r, l } = info.episode as EpisodeStatistics;
      lines.push(`    episode ${env.episodeCount}: return ${r.toFixed(1)} over ${l} steps${truncated && !terminated ? ' (time limit)' : ''}`);
      env.reset();
    }
  }
  console.log(`  ${id} (random policy, seed ${SEED}${made.note})`);
  for (const line of lines) console.log(line);
  env.close();
}

export function runEnvDemo(): void {
  console.log('plasticd environment demo\n');
  const ids = registeredIds();
  const nonstationary = ids.filter((id) => id.startsWith('plasticd/')).slice(0, 2);
  for (const id of ['CartPole-v1', ...nonstationary]) runEpisodes(id);
  if (nonstationary.length === 0) console.log('  (no nonstationary ids registered yet)');
  console.log(`\nregistered ids (${ids.length}):`);
  for (const id of ids) {
    const r = registrationOf(id)!;
    const limit = r.maxEpisodeSteps ? `${r.maxEpisodeSteps} steps` : 'no limit';
    console.log(`  ${id.padEnd(36)} ${limit.padEnd(10)} ${r.description ?? ''}`);
  }
}
