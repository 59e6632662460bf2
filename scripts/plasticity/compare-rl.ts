/**
 * Plasticity under nonstationarity for RL agents: the same agent on an env with many shifts, plain
 * versus GXD resets versus continual backprop (algorithms.md §2.1, §2.2, §4.6), several seeds, each
 * run driven through AgentRun from an AgentSpec (scripts/plasticity/rl-methods.ts) in at most two
 * worker threads. Writes per-run JSON, summary.json, SVG plots and the markdown report `<out>.md`
 * (with `<out>/notes.md` appended when present).
 *
 *   nice -n 5 npx tsx scripts/plasticity/compare-rl.ts [--env plasticd/PermutedCartPole-v1]
 *     [--env-kwargs '{"every":10000,"flipSigns":true}'] [--agent dqn|ppo] [--methods plain,gxd,cbp]
 *     [--seeds 3] [--first-seed 0] [--steps 150000] [--hidden 64,64] [--ns-adam] [--replacement-rate 1e-4]
 *     [--maturity 100] [--last-episodes 10] [--regimes-compared 3] [--threads 2] [--report-only]
 *     [--out docs/results/nonstationary-rl]
 *
 * Seed k builds the same env regimes and the same initial networks for every method (paired runs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { stringify } from 'yaml';
import { commandLine, formatDuration, machineDescription, readPreviousSummary, readRuns, writeFile, writeRun } from '../reproduce/report.ts';
import { intFlag, parseFlags } from '../reproduce/stats.ts';
import { MAX_THREADS, runRlJobs } from './pool.ts';
import { DEFAULT_RL_SETTINGS, baseSpec, methodMonitor, parseRlMethods } from './rl-methods.ts';
import type { RlAgentKind, RlSettings } from './rl-methods.ts';
import { layerTable, regimeRanges, returnTable, summarizeMethods, writePlots } from './rl-report.ts';
import type { RlJob, RlRunResult } from './rl-run.ts';

const SCRIPT = 'scripts/plasticity/compare-rl.ts';
const USAGE = `usage:
  nice -n 5 npx tsx scripts/plasticity/compare-rl.ts [--env plasticd/PermutedCartPole-v1]
    [--env-kwargs '{"every":10000,"flipSigns":true}'] [--agent dqn|ppo] [--methods plain,gxd,cbp]
    [--seeds 3] [--first-seed 0] [--steps 150000] [--hidden 64,64] [--ns-adam] [--replacement-rate 1e-4]
    [--maturity 100] [--last-episodes 10] [--regimes-compared 3] [--threads 2] [--report-only]
    [--out docs/results/nonstationary-rl]
(--out defaults to the committed results folder shown, which a run rewrites.)`;
const flags = parseFlags(process.argv.slice(2), USAGE);

function numberFlag(name: string, fallback: number): number {
  if (flags[name] === undefined) return fallback;
  const value = Number(flags[name]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got '${flags[name]}'`);
  return value;
}

function settingsFromFlags(): RlSettings {
  const agent = (flags.agent ?? DEFAULT_RL_SETTINGS.agent) as RlAgentKind;
  if (agent !== 'dqn' && agent !== 'ppo') throw new Error(`--agent must be dqn or ppo, got '${agent}'`);
  const hidden = flags.hidden ? flags.hidden.split(',').map(Number) : [...DEFAULT_RL_SETTINGS.hidden];
  if (hidden.some((width) => !Number.isInteger(width) || width < 1)) throw new Error(`--hidden must be comma-separated positive widths, got '${flags.hidden}'`);
  let envKwargs = DEFAULT_RL_SETTINGS.envKwargs;
  if (flags['env-kwargs'] !== undefined) {
    try {
      envKwargs = JSON.parse(flags['env-kwargs']) as Record<string, unknown>;
    } catch {
      throw new Error(`--env-kwargs must be a JSON object, got '${flags['env-kwargs']}'`);
    }
  }
  return {
    ...DEFAULT_RL_SETTINGS,
    envId: flags.env ?? DEFAULT_RL_SETTINGS.envId,
    envKwargs,
    agent,
    hidden,
    nonstationaryAdam: flags['ns-adam'] === 'true',
    replacementRate: numberFlag('replacement-rate', DEFAULT_RL_SETTINGS.replacementRate),
    maturityThreshold: numberFlag('maturity', DEFAULT_RL_SETTINGS.maturityThreshold),
  };
}

const settings = settingsFromFlags();
const methods = parseRlMethods(flags.methods ?? 'plain,gxd,cbp');
const seeds = intFlag(flags, 'seeds', 3);
const firstSeed = intFlag(flags, 'first-seed', 0, 0);
const steps = intFlag(flags, 'steps', 150_000);
const lastEpisodes = intFlag(flags, 'last-episodes', 10);
const regimesCompared = intFlag(flags, 'regimes-compared', 3);
const threads = Math.min(intFlag(flags, 'threads', MAX_THREADS), MAX_THREADS);
const outDir = (flags.out ?? 'docs/results/nonstationary-rl').replace(/\/+$/, '');
const reportOnly = flags['report-only'] === 'true';

// Seed-major order, so a stopped run still has every method for the first seeds.
const jobs: RlJob[] = [];
for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
  for (const method of methods) jobs.push({ method, seed, steps, settings, lastEpisodes });
}

const started = performance.now();
if (reportOnly) console.log(`report only: the runs of ${methods.join(', ')} in ${outDir}/runs`);
else console.log(`${settings.envId} ${JSON.stringify(settings.envKwargs)}, ${settings.agent} ${settings.hidden.join('×')}: ${methods.join(', ')} × ${seeds} seeds × ${steps} steps on ${threads} threads`);
const runs: RlRunResult[] = reportOnly
  ? readRuns<RlRunResult>(outDir).filter((run) => methods.includes(run.method))
  : await runRlJobs(jobs, threads, (run) => {
      writeRun(outDir, `${run.method}-seed${run.seed}`, run);
      const finals = run.regimes.map((regime) => Math.round(regime.finalReturn)).join(' ');
      const resets = Object.values(run.resets).reduce((a, b) => a + b, 0);
      console.log(`  ${run.method.padEnd(5)} seed ${run.seed}: regime returns ${finals}; ${resets} resets; ${run.stepsPerSecond.toFixed(0)} steps/s, ${run.wallSeconds.toFixed(0)} s`);
    });
if (runs.length === 0) throw new Error(`no runs of ${methods.join(', ')} in ${outDir}/runs`);

const run0 = runs[0];
const runSettings = run0.settings;
const regimeCount = Math.min(...runs.map((run) => run.regimes.length));
if (regimeCount < 3) {
  // Early and late regimes after the first shift need at least three regimes.
  throw new Error(`the runs saw ${regimeCount} regime(s); comparing early and late regimes needs at least 3: raise --steps or lower the env's "every"`);
}
const ranges = regimeRanges(regimeCount, regimesCompared);
const summaries = summarizeMethods(runs, methods, ranges);
const seedsRun = new Set(runs.map((run) => run.seed)).size;
const previous = reportOnly ? readPreviousSummary(outDir) : null;
// --report-only may combine several invocations (e.g. more seeds added later), so the report gives the runs' own times summed.
const runSeconds = runs.reduce((sum, run) => sum + run.wallSeconds, 0);
const wallSeconds = previous?.wallSeconds ?? (performance.now() - started) / 1000;
const command = previous?.command ?? `nice -n 5 ${commandLine(SCRIPT)}`;
const machine = previous?.machine ?? machineDescription(threads);

const title = `${runSettings.agent.toUpperCase()} on ${runSettings.envId.replace(/^plasticd\//, '')}`;
const plots = writePlots(outDir, runs, methods, title);
const base = baseSpec(runSettings, 0, `${runSettings.agent}-nonstationary`);
const specYaml = stringify({ base, methods: Object.fromEntries(methods.map((method) => [method, { monitor: methodMonitor(method, runSettings) }])) });

writeFile(
  join(outDir, 'summary.json'),
  JSON.stringify({ settings: runSettings, steps: run0.steps, seeds: seedsRun, lastEpisodes, ranges, command, machine, wallSeconds, runSeconds, methods: summaries }, null, 2) + '\n',
);
writeFile(join(outDir, 'specs.yaml'), specYaml);

const returns = returnTable(summaries, ranges);
const layersMd = layerTable(summaries);
const mdPath = `${outDir}.md`;
const rel = (file: string) => relative(dirname(mdPath), join(outDir, file));
const notesPath = join(outDir, 'notes.md');
const notes = existsSync(notesPath) ? `\n${readFileSync(notesPath, 'utf8').trim()}\n` : '';
const shiftsPerRun = regimeCount - 1;
const md = `# Plasticity under nonstationarity: ${title}, plain vs GXD resets vs continual backprop

Generated by \`${SCRIPT}\`; per-run JSON in \`${outDir}/runs/\`, the numbers below in \`${outDir}/summary.json\`,
the AgentSpecs in \`${outDir}/specs.yaml\`.

- **Env**: \`${runSettings.envId}\` with kwargs \`${JSON.stringify(runSettings.envKwargs)}\`: ${shiftsPerRun} shifts in ${run0.steps.toLocaleString('en-US')} env steps.
- **Agent**: ${runSettings.agent.toUpperCase()}, hidden ${runSettings.hidden.join(' × ')} ReLU, ${runSettings.nonstationaryAdam ? 'Adam β1 = β2 = 0.99 ("non-stationary Adam", algorithms.md §4.6)' : "the agent's default Adam"}, typed engine; every run built by \`AgentRun\` from an AgentSpec and measured from its events.
- **Methods**: only the monitor's reset policy differs (see the table); seed k gives every method the same regimes and the same initial weights.
- **Return reached after a shift**: mean return of the last ${lastEpisodes} episodes that end before the next shift (all of them if fewer); regime 0 is the unshifted env learned from scratch.
- **Layer metrics**: the monitor's window report every ${runSettings.windowLength} steps on the last ${runSettings.probeSize} observations; dormant = ReDo τ-dormant with τ = 0.025; dead = zero on every probe sample; early/late = the windows inside those regimes.
- **Scale**: ${seedsRun} seeds per method; mean ± standard error over seeds.
- **Command**${reportOnly ? ' (of the last invocation that ran jobs; the report combines every run in the folder)' : ''}: \`${command}\`
- **Machine**: ${machine}
- **Run time**: ${formatDuration(runSeconds)} summed over the ${runs.length} runs, two at a time (${summaries.map((s) => `${s.method} ${s.stepsPerSecond.mean.toFixed(0)}`).join(', ')} env steps/s per run, monitor included, on a shared box).

## Return reached after shifts

${returns}

## Dormant units, dead units and effective rank per layer

${layersMd}
${notes}
## Plots

${plots.map((plot) => `![${plot.caption}](${rel(plot.file)})`).join('\n\n')}

## AgentSpecs (base spec + per-method overrides)

\`\`\`yaml
${specYaml.trim()}
\`\`\`
`;
writeFile(mdPath, md);
console.log(`\n${returns}\n\n${layersMd}\n\nwall time ${formatDuration(wallSeconds)}; report: ${mdPath}`);
