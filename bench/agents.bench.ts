/**
 * Agent throughput: env steps (or stream examples) per CPU-second of each agent with its default
 * hyperparameters, typed engine, WITHOUT the monitor (the bare act → env.step → observe loop, or
 * learn(batch) for the continual learner, no hooks) and WITH it (the daemon's AgentRun: default
 * MonitorConfig — GXD-L and three more utilities every update, GXD replacement-rate resets, window
 * reports with GXD-F and curvature every 1,000 steps, the audit every 10th window, events and unit
 * snapshots). Both start from the same spec and time the same step range after a warm-up.
 * Run alone: `npm run bench -- agents [--steps=10000] [--warmup=1000] [--agents=dqn,ppo-discrete]`.
 */
import { NO_HOOKS } from '../agents/agent.ts';
import { ContinualAgent } from '../agents/continual.ts';
import { parseAgentSpec, type AgentSpecInput } from '../src/config/agent-spec.ts';
import { AgentRun } from '../src/run/agent-run.ts';
import { buildRun } from '../src/run/build-run.ts';

interface Scenario {
  id: string;
  spec: AgentSpecInput;
}

const typed = { engine: 'typed' as const };

const SCENARIOS: Scenario[] = [
  { id: 'dqn', spec: { id: 'bench-dqn', env: { id: 'CartPole-v1' }, agent: { kind: 'dqn' }, networks: typed } },
  { id: 'ppo-discrete', spec: { id: 'bench-ppo-d', env: { id: 'CartPole-v1' }, agent: { kind: 'ppo' }, networks: typed } },
  { id: 'ppo-continuous', spec: { id: 'bench-ppo-c', env: { id: 'Pendulum-v1' }, agent: { kind: 'ppo' }, networks: typed } },
  { id: 'stream-ac', spec: { id: 'bench-sac', env: { id: 'CartPole-v1' }, agent: { kind: 'stream-ac' }, networks: typed } },
  { id: 'continual', spec: { id: 'bench-continual', stream: { id: 'bit-flipping' }, agent: { kind: 'continual' }, networks: typed } },
];

/** Something that advances by n steps. */
export interface Runner {
  run(steps: number): void;
  dispose(): void;
}

/** The agent alone: buildRun's env/stream and agent, no hooks, the monitor it builds left unused. */
export function plainRunner(input: AgentSpecInput): Runner {
  const built = buildRun(parseAgentSpec(input), { hooks: NO_HOOKS });
  built.monitor.dispose();
  const { env, stream, agent } = built;
  if (stream) {
    const learner = agent as ContinualAgent;
    const batch = stream.allocateBatch(1);
    return {
      run: (steps) => {
        for (let k = 0; k < steps; k++) learner.learn(stream.nextBatch(1, batch));
      },
      dispose: () => agent.dispose(),
    };
  }
  let observation = env!.reset({ seed: built.seeds.env }).observation;
  return {
    run: (steps) => {
      for (let k = 0; k < steps; k++) {
        const action = agent.act(observation);
        const result = env!.step(action);
        agent.observe({ observation, action, reward: result.reward, nextObservation: result.observation, terminated: result.terminated, truncated: result.truncated });
        observation = result.terminated || result.truncated ? env!.reset().observation : result.observation;
      }
    },
    dispose: () => {
      agent.dispose();
      env!.close();
    },
  };
}

export function monitoredRunner(input: AgentSpecInput): Runner {
  const run = new AgentRun({ spec: input });
  return { run: (steps) => void run.runFor(steps), dispose: () => run.dispose() };
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Steps per CPU-second over `steps` steps after `warmup`. */
export function measure(runner: Runner, warmup: number, steps: number): number {
  runner.run(warmup);
  const start = process.cpuUsage();
  runner.run(steps);
  const seconds = cpuSeconds(start);
  runner.dispose();
  return steps / seconds;
}

export interface AgentsBenchRow {
  agent: string;
  withoutMonitor: number;
  withMonitor: number;
  ratio: number;
}

function argument(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

export default async function agentsBench(options: { steps?: number; warmup?: number; agents?: string[] } = {}): Promise<AgentsBenchRow[]> {
  const steps = options.steps ?? Number(argument('steps') ?? 10_000);
  const warmup = options.warmup ?? Number(argument('warmup') ?? 1_000);
  const only = options.agents ?? argument('agents')?.split(',');
  const rows: AgentsBenchRow[] = [];
  for (const scenario of SCENARIOS.filter((s) => !only || only.includes(s.id))) {
    const withoutMonitor = measure(plainRunner(scenario.spec), warmup, steps);
    const withMonitor = measure(monitoredRunner(scenario.spec), warmup, steps);
    rows.push({ agent: scenario.id, withoutMonitor, withMonitor, ratio: withoutMonitor / withMonitor });
  }
  console.log(`Agent steps per CPU-second (typed engine, default agent configs; ${steps} steps after ${warmup} warm-up; monitor: default MonitorConfig, GXD resets on)`);
  console.table(
    rows.map((r) => ({
      agent: r.agent,
      'steps/s, monitor off': r.withoutMonitor.toFixed(0),
      'steps/s, monitor on': r.withMonitor.toFixed(0),
      'slowdown (off / on)': `${r.ratio.toFixed(2)}×`,
    })),
  );
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await agentsBench();
