// Training benchmarks on this machine: PPO on CartPole-v1 (steps and seconds until the mean of
// the last 20 episodes first reaches 475, on three seeds), PPO on Pendulum-v1 (mean return of 20
// deterministic evaluation episodes), memory flatness over a 200k-step PPO run, and REINFORCE and
// GRPO on CartPole-v1 for reference. Each run is a child process of its own, so that its memory
// figures start from a fresh process. Writes bench/results/training.json and prints a table.
//
//   npm run bench                      (builds first; runs the env benchmark too)
//   node bench/training.bench.ts [--seeds 0,1,2] [--pendulum-config '{"total_timesteps": 300000, …}']
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EnvRegistry, MetricsLogger, RunDirectory, evaluatePolicy, parseOptions, writeFileAtomic, type Algorithm, type Env } from '@rlft/core';
import { Ppo, ppoConfigSchema } from '@rlft/algo-ppo';
import { Reinforce, reinforceConfigSchema, type ReinforceConfig } from '@rlft/algo-reinforce';
import { GrpoMlp, grpoMlpConfigSchema, type GrpoMlpConfig } from '@rlft/algo-grpo';
import classicPlugin from '@rlft/envs-classic/plugin';
import { MlpPolicy } from '@rlft/policy-mlp';
import { formatTable, machineInfo } from './harness.ts';

const RESULTS = fileURLToPath(new URL('./results/training.json', import.meta.url));
const SOLVED = 475;
const SOLVE_WITHIN_STEPS = 100_000;
const SOLVE_WITHIN_SECONDS = 30;
const PENDULUM_GOAL = -250;

/** rl-zoo's PPO settings for CartPole-v1 (the lead's measurements: solved at ~69–73k steps). */
const PPO_CARTPOLE = { num_envs: 8, num_steps: 64, num_minibatches: 2, update_epochs: 10, gamma: 0.98, gae_lambda: 0.8, learning_rate: 1e-3, ent_coef: 0 };
/**
 * Pendulum-v1: the settings of config/ppo-pendulum.yaml (rl-zoo's tuned PPO with observation and
 * reward normalisation, 256-step rollouts and an annealed rate in place of gSDE), which its
 * header reports at −161, −152 and −211 after 150k steps; `--pendulum-config` overrides keys.
 */
const PPO_PENDULUM = {
  total_timesteps: 150_000,
  num_envs: 4,
  num_steps: 256,
  num_minibatches: 16,
  update_epochs: 10,
  gamma: 0.9,
  gae_lambda: 0.95,
  learning_rate: 1e-3,
  anneal_lr: true,
  clip_coef: 0.2,
  ent_coef: 0,
  vf_coef: 0.5,
  max_grad_norm: 0.5,
  norm_adv: true,
  clip_vloss: false,
  hidden_sizes: [64, 64],
  activation: 'tanh',
  normalize_observation: true,
  normalize_reward: true,
  clip_obs: 10,
  clip_reward: 10,
};
/** The first Pendulum settings of the brief (rl-zoo's 1024-step rollouts, no reward normalisation), kept for comparison. */
const PPO_PENDULUM_FIRST = {
  num_envs: 4,
  num_steps: 1024,
  num_minibatches: 16,
  update_epochs: 10,
  gamma: 0.9,
  gae_lambda: 0.95,
  learning_rate: 1e-3,
  ent_coef: 0,
  normalize_observation: true,
  total_timesteps: 200_000,
};
const EVALUATION = { episodes: 20, seed: 10_000 };

type AlgorithmId = 'ppo' | 'reinforce' | 'grpo-mlp';

/** One training run, done by a child process. */
interface Job {
  algo: AlgorithmId;
  envId: string;
  seed: number;
  config: Record<string, unknown>;
  /** Deterministic evaluation episodes of the final checkpoint. */
  evaluate?: { episodes: number; seed: number };
}

/** What a child reports about its run. */
interface RunReport {
  algo: AlgorithmId;
  envId: string;
  seed: number;
  totalSteps: number;
  /** First logged step at which the mean return of the last 20 episodes was ≥ 475 (CartPole). */
  solvedAtStep: number | null;
  solvedAtSeconds: number | null;
  finalMeanReturnLast20: number;
  wallSeconds: number;
  stepsPerSecond: number;
  rolloutSeconds: number;
  learnSeconds: number;
  /** Process RSS before `train` (the engine is not started yet), when the trainer's setup ended, and at the end. */
  rssBeforeTrainMiB: number;
  rssStartMiB: number;
  rssEndMiB: number;
  /** [step, RSS, V8 heap total, V8 heap used] in MiB after every update. */
  memorySamples: [number, number, number, number][];
  evaluation?: { episodes: number; seed: number; mean: number; std: number; min: number; max: number };
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
const mib = (): number => process.memoryUsage.rss() / 2 ** 20;

function createAlgorithm(algo: AlgorithmId, options: Record<string, unknown>): Algorithm {
  const config = { checkpoint_every: 0, ...options };
  if (algo === 'ppo') return new Ppo(parseOptions(ppoConfigSchema, config, 'ppo'));
  if (algo === 'reinforce') return new Reinforce(parseOptions(reinforceConfigSchema, config, 'reinforce') as ReinforceConfig);
  return new GrpoMlp(parseOptions(grpoMlpConfigSchema, config, 'grpo-mlp') as GrpoMlpConfig);
}

/** The child's side: train, read the run's metrics.jsonl, evaluate if asked, print one JSON line. */
async function runJob(job: Job): Promise<RunReport> {
  const registry = new EnvRegistry();
  for (const registration of classicPlugin.envs ?? []) registry.register(registration, classicPlugin.name);
  const root = mkdtempSync(join(tmpdir(), 'rlft-bench-training-'));
  try {
    const run = RunDirectory.create(root, `${job.algo}-${job.seed}`, { exact: true });
    const algorithm = createAlgorithm(job.algo, job.config);
    run.writeConfig(algorithm.config);
    const rssBeforeTrainMiB = mib();
    let solvedAtStep: number | null = null;
    let solvedAtSeconds: number | null = null;
    const memorySamples: RunReport['memorySamples'] = [];
    const started = performance.now();
    const result = await algorithm.train({
      registry,
      envId: job.envId,
      envKwargs: {},
      seed: job.seed,
      run,
      logger: run.logger,
      signal: new AbortController().signal,
      onProgress: ({ step, meanReturn }) => {
        const memory = process.memoryUsage();
        memorySamples.push([step, round(memory.rss / 2 ** 20, 1), round(memory.heapTotal / 2 ** 20, 1), round(memory.heapUsed / 2 ** 20, 1)]);
        if (solvedAtStep === null && meanReturn !== undefined && meanReturn >= SOLVED) {
          solvedAtStep = step;
          solvedAtSeconds = (performance.now() - started) / 1000;
        }
      },
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const records = MetricsLogger.read(run.logger.path);
    const sum = (key: string): number => records.reduce((s, r) => s + (typeof r[key] === 'number' ? (r[key] as number) : 0), 0);
    const totalSteps = result.metrics.global_step;
    const report: RunReport = {
      algo: job.algo,
      envId: job.envId,
      seed: job.seed,
      totalSteps,
      solvedAtStep: job.envId === 'CartPole-v1' ? solvedAtStep : null,
      solvedAtSeconds: job.envId === 'CartPole-v1' && solvedAtSeconds !== null ? round(solvedAtSeconds) : null,
      finalMeanReturnLast20: round(result.metrics['charts/mean_return_last_20']),
      wallSeconds: round(wallSeconds),
      stepsPerSecond: Math.round(totalSteps / wallSeconds),
      rolloutSeconds: round(sum('perf/rollout_seconds')),
      learnSeconds: round(sum('perf/learn_seconds')),
      rssBeforeTrainMiB: round(rssBeforeTrainMiB, 1),
      rssStartMiB: round(result.metrics['perf/rss_mib_start'], 1),
      rssEndMiB: round(result.metrics['perf/rss_mib_end'], 1),
      memorySamples,
    };
    if (job.evaluate) {
      const env = (await registry.make(job.envId)) as Env<unknown, unknown>;
      const policy = await MlpPolicy.fromCheckpoint(result.checkpoint!, { env: { observationSpace: env.observationSpace, actionSpace: env.actionSpace, envId: job.envId } });
      const evaluation = await evaluatePolicy(env, policy, job.evaluate);
      env.close();
      const { mean, std, min, max } = evaluation.return;
      report.evaluation = { ...job.evaluate, mean: round(mean), std: round(std), min: round(min), max: round(max) };
    }
    return report;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The parent's side: run a job in a fresh Node process and parse its report. */
function spawnJob(job: Job): RunReport {
  const label = `${job.algo} ${job.envId} seed ${job.seed}`;
  process.stdout.write(`  ${label} … `);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--job', JSON.stringify(job)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 2 ** 20,
  });
  if (child.status !== 0) throw new Error(`${label}: the child process failed (exit ${child.status}, signal ${child.signal})`);
  const lines = child.stdout.trim().split('\n');
  const report = JSON.parse(lines[lines.length - 1]) as RunReport;
  process.stdout.write(`${report.wallSeconds.toFixed(1)} s\n`);
  return report;
}

/** Least-squares slope of [step, MiB] samples over the second half of a run, in MiB per 100k steps. */
function secondHalfSlope(samples: readonly [number, number][], totalSteps: number): number {
  const half = samples.filter(([step]) => step > totalSteps / 2);
  const n = half.length;
  const meanStep = half.reduce((s, [x]) => s + x, 0) / n;
  const meanValue = half.reduce((s, [, y]) => s + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of half) {
    covariance += (x - meanStep) * (y - meanValue);
    variance += (x - meanStep) ** 2;
  }
  return (covariance / variance) * 100_000;
}

/** A run without its per-update memory samples (they are summarised separately for the memory run). */
const summary = ({ memorySamples: _samples, ...rest }: RunReport) => rest;

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      job: { type: 'string' },
      seeds: { type: 'string', default: '0,1,2' },
      'pendulum-config': { type: 'string', default: '{}' },
    },
  });
  if (args.job) {
    console.log(JSON.stringify(await runJob(JSON.parse(args.job) as Job)));
    return;
  }
  const seeds = args.seeds.split(',').map(Number);
  if (!seeds.every((s) => Number.isInteger(s) && s >= 0)) throw new Error(`--seeds must be a comma-separated list of integers ≥ 0, got '${args.seeds}'`);
  const pendulumConfig = { ...PPO_PENDULUM, ...(JSON.parse(args['pendulum-config']) as Record<string, unknown>) };
  const started = performance.now();
  const loadAverageAtStart = loadavg().map((l) => round(l));

  console.log(`PPO CartPole-v1, ${SOLVE_WITHIN_STEPS} steps per seed`);
  const ppoConfig = { ...PPO_CARTPOLE, total_timesteps: SOLVE_WITHIN_STEPS };
  const ppoRuns = seeds.map((seed) => spawnJob({ algo: 'ppo', envId: 'CartPole-v1', seed, config: ppoConfig }));

  console.log('PPO Pendulum-v1');
  const pendulum = spawnJob({ algo: 'ppo', envId: 'Pendulum-v1', seed: 0, config: pendulumConfig, evaluate: EVALUATION });
  const pendulumFirst = spawnJob({ algo: 'ppo', envId: 'Pendulum-v1', seed: 0, config: PPO_PENDULUM_FIRST, evaluate: EVALUATION });

  console.log('Memory: PPO CartPole-v1, 200k steps');
  const memoryConfig = { ...PPO_CARTPOLE, total_timesteps: 200_000 };
  const memoryRun = spawnJob({ algo: 'ppo', envId: 'CartPole-v1', seed: 0, config: memoryConfig });
  const samples = memoryRun.memorySamples;
  const rss = samples.map(([, value]) => value);
  const memory = {
    config: memoryConfig,
    totalSteps: memoryRun.totalSteps,
    samples: samples.length,
    rssBeforeTrainMiB: memoryRun.rssBeforeTrainMiB,
    firstMiB: rss[0],
    lastMiB: rss[rss.length - 1],
    maxMiB: Math.max(...rss),
    secondHalfSlopeMiBPer100kSteps: round(secondHalfSlope(samples.map(([step, value]) => [step, value]), memoryRun.totalSteps)),
    // V8's heap reserve grows in steps of its own; its slope tells such steps apart from a leak elsewhere (e.g. in the engine's WebAssembly memory).
    heapTotalFirstMiB: samples[0][2],
    heapTotalLastMiB: samples[samples.length - 1][2],
    heapTotalSecondHalfSlopeMiBPer100kSteps: round(secondHalfSlope(samples.map(([step, , heapTotal]) => [step, heapTotal]), memoryRun.totalSteps)),
    // RSS every 10th update, for a plot.
    rssEvery10Updates: samples.filter((_, i) => i % 10 === 0).map(([step, value]) => [step, value]),
    wallSeconds: memoryRun.wallSeconds,
  };

  console.log('REINFORCE and GRPO CartPole-v1 (defaults), for reference');
  const episodicConfig = { total_timesteps: SOLVE_WITHIN_STEPS };
  const reinforceRuns = seeds.map((seed) => spawnJob({ algo: 'reinforce', envId: 'CartPole-v1', seed, config: episodicConfig }));
  const grpoRuns = seeds.map((seed) => spawnJob({ algo: 'grpo-mlp', envId: 'CartPole-v1', seed, config: episodicConfig }));

  const solvedRuns = ppoRuns.filter((r) => r.solvedAtStep !== null && r.solvedAtStep <= SOLVE_WITHIN_STEPS);
  const goals = [
    {
      name: `PPO CartPole-v1: last-20 mean ≥ ${SOLVED} within ${SOLVE_WITHIN_STEPS} steps on every seed`,
      measured: `${solvedRuns.length}/${ppoRuns.length} seeds`,
      pass: solvedRuns.length === ppoRuns.length,
    },
    {
      name: `PPO CartPole-v1: each seed solved in under ${SOLVE_WITHIN_SECONDS} s`,
      measured: ppoRuns.map((r) => (r.solvedAtSeconds === null ? 'not solved' : `${r.solvedAtSeconds.toFixed(1)} s`)).join(', '),
      pass: ppoRuns.every((r) => r.solvedAtSeconds !== null && r.solvedAtSeconds < SOLVE_WITHIN_SECONDS),
    },
    {
      name: `PPO Pendulum-v1: mean return of ${EVALUATION.episodes} deterministic episodes > ${PENDULUM_GOAL}`,
      measured: `${pendulum.evaluation!.mean.toFixed(1)}`,
      pass: pendulum.evaluation!.mean > PENDULUM_GOAL,
    },
  ];

  const report = {
    benchmark: 'training',
    date: new Date().toISOString(),
    // Other work on the machine slows the runs down; the load averages (1, 5, 15 min) show how busy it was.
    machine: { ...machineInfo(), loadAverageAtStart, loadAverageAtEnd: loadavg().map((l) => round(l)) },
    method: {
      isolation: 'every run in a fresh Node process (child of the benchmark), one after another',
      solved: `first logged update at which the mean return of the last 20 training episodes is ≥ ${SOLVED}; seconds from the start of train(), engine start-up and jit compilation included`,
      stepsPerSecond: 'environment steps of the run ÷ wall seconds of train()',
      split: 'rolloutSeconds and learnSeconds are the sums of perf/rollout_seconds and perf/learn_seconds over the updates',
      rss: 'rssBeforeTrainMiB: process RSS before train(); rssStartMiB: after the trainer set up envs, engine and parameters; rssEndMiB: after the last update',
      memorySlope: 'least-squares slope of the RSS sampled after every update, over the second half of the run, in MiB per 100k steps',
      evaluation: `MlpPolicy from the final checkpoint, deterministic (Gaussian mean), evaluatePolicy over ${EVALUATION.episodes} episodes seeded ${EVALUATION.seed}…`,
    },
    ppoCartPole: { config: ppoConfig, runs: ppoRuns.map(summary) },
    ppoPendulum: { config: pendulumConfig, run: summary(pendulum) },
    ppoPendulumFirstSettings: { config: PPO_PENDULUM_FIRST, run: summary(pendulumFirst) },
    memory,
    reinforceCartPole: { config: episodicConfig, runs: reinforceRuns.map(summary) },
    grpoCartPole: { config: episodicConfig, runs: grpoRuns.map(summary) },
    goals,
    durationSeconds: round((performance.now() - started) / 1000, 1),
  };
  writeFileAtomic(RESULTS, `${JSON.stringify(report, null, 2)}\n`);

  const m = report.machine;
  console.log(`\nTraining on ${m.cpuModel} (${m.cores} cores), Node ${m.node}; load average at start ${loadAverageAtStart.join(', ')}\n`);
  const solvedCell = (r: RunReport) => (r.solvedAtStep === null ? '–' : String(r.solvedAtStep));
  const secondsCell = (r: RunReport) => (r.solvedAtSeconds === null ? '–' : r.solvedAtSeconds.toFixed(1));
  console.log(
    formatTable(
      ['run', 'seed', 'steps', 'solved at', 'solve s', 'last-20', 'wall s', 'steps/s', 'rollout s', 'learn s', 'RSS MiB', 'note'],
      [...ppoRuns, pendulum, pendulumFirst, ...reinforceRuns, ...grpoRuns].map((r) => [
        `${r.algo} ${r.envId}${r === pendulumFirst ? ' (first settings)' : ''}`,
        String(r.seed),
        String(r.totalSteps),
        solvedCell(r),
        secondsCell(r),
        r.finalMeanReturnLast20.toFixed(1),
        r.wallSeconds.toFixed(1),
        String(r.stepsPerSecond),
        r.rolloutSeconds.toFixed(1),
        r.learnSeconds.toFixed(1),
        `${r.rssStartMiB.toFixed(0)} → ${r.rssEndMiB.toFixed(0)}`,
        r.evaluation ? `eval mean ${r.evaluation.mean.toFixed(1)} ± ${r.evaluation.std.toFixed(1)} (${r.evaluation.episodes} episodes)` : '',
      ]),
    ),
  );
  console.log(
    `\nMemory, PPO CartPole-v1 ${memory.totalSteps} steps: RSS first ${memory.firstMiB} MiB, last ${memory.lastMiB} MiB, max ${memory.maxMiB} MiB; ` +
      `second-half slope ${memory.secondHalfSlopeMiBPer100kSteps} MiB per 100k steps (V8 heap total ${memory.heapTotalFirstMiB} → ${memory.heapTotalLastMiB} MiB, ` +
      `slope ${memory.heapTotalSecondHalfSlopeMiBPer100kSteps})\n`,
  );
  for (const goal of goals) console.log(`${goal.pass ? 'PASS' : 'FAIL'}  ${goal.name}: ${goal.measured}`);
  console.log(`\nwrote ${RESULTS} in ${report.durationSeconds.toFixed(1)} s`);
}

await main();
