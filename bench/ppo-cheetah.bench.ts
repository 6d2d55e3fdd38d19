// PPO on HalfCheetah-v5 for 1M steps with config/ppo-cheetah.yaml: final return, SPS, time
// split, memory. About ten minutes on the 2-core machine, so it is not part of `npm run bench`:
//   npm run bench:cheetah                      # trains (rlft run --config config/ppo-cheetah.yaml --json)
//   npm run bench:cheetah -- --from-run DIR    # summarises a finished run of that same preset
// Writes bench/results/ppo-cheetah.json. Plain erasable TypeScript (Node's type stripping).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@rlft/core';
import { machineInfo } from './harness.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const preset = join(repoRoot, 'config', 'ppo-cheetah.yaml');
const GOAL_RETURN = 1500;

interface RunOutcome {
  runDir: string;
  steps: number;
  wallSeconds: number;
  finalEval: { return: { mean: number; std: number; min: number; max: number }; episodes: number; seed: number };
}

function train(): RunOutcome {
  const cli = join(repoRoot, 'packages', 'cli', 'bin', 'run.js');
  const result = spawnSync(process.execPath, [cli, 'run', '--config', preset, '--out', join(repoRoot, 'runs'), '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`rlft run exited with ${result.status}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as RunOutcome;
}

function fromRun(runDir: string): RunOutcome {
  const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { preset?: string; env: string; algo: string };
  if (config.algo !== 'ppo' || config.env !== 'HalfCheetah-v5' || (config.preset && resolve(config.preset) !== preset)) {
    throw new Error(`${runDir} is not a run of config/ppo-cheetah.yaml (algo ${config.algo}, env ${config.env}, preset ${config.preset})`);
  }
  const evaluation = JSON.parse(readFileSync(join(runDir, 'eval.json'), 'utf8'));
  const records = readMetrics(runDir);
  const last = records.at(-1)!;
  return { runDir, steps: last.step as number, wallSeconds: Number(last['perf/wall_seconds'] ?? NaN), finalEval: evaluation.result ?? evaluation };
}

function readMetrics(runDir: string): Record<string, number | string>[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

const fromIndex = process.argv.indexOf('--from-run');
const outcome = fromIndex > 0 ? fromRun(resolve(process.argv[fromIndex + 1])) : train();
const records = readMetrics(outcome.runDir);
const sum = (key: string) => records.reduce((s, r) => s + (typeof r[key] === 'number' ? (r[key] as number) : 0), 0);
const episodic = records.filter((r) => typeof r['charts/episodic_return'] === 'number');
const lastTen = episodic.slice(-10).map((r) => r['charts/episodic_return'] as number);
const wallSeconds = Number.isFinite(outcome.wallSeconds) ? outcome.wallSeconds : (records.at(-1)!.time as number);
const results = {
  benchmark: 'ppo-cheetah',
  date: new Date().toISOString(),
  machine: machineInfo(),
  preset: 'config/ppo-cheetah.yaml',
  runDir: outcome.runDir,
  steps: outcome.steps,
  wallSeconds,
  stepsPerSecond: outcome.steps / wallSeconds,
  rolloutSeconds: sum('perf/rollout_seconds'),
  learnSeconds: sum('perf/learn_seconds'),
  rssMiB: { first: records[0]['perf/rss_mib'], last: records.at(-1)!['perf/rss_mib'] },
  trainingReturnLast10Updates: lastTen.reduce((s, v) => s + v, 0) / lastTen.length,
  finalEval: outcome.finalEval,
  goals: [{ name: `PPO HalfCheetah-v5, 1M steps: deterministic evaluation return ≥ ${GOAL_RETURN}`, measured: outcome.finalEval.return.mean, pass: outcome.finalEval.return.mean >= GOAL_RETURN }],
};
writeFileAtomic(join(repoRoot, 'bench', 'results', 'ppo-cheetah.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `PPO HalfCheetah-v5: ${results.steps} steps in ${wallSeconds.toFixed(0)} s (${results.stepsPerSecond.toFixed(0)} steps/s; rollout ${results.rolloutSeconds.toFixed(0)} s, learning ${results.learnSeconds.toFixed(0)} s)\n` +
    `final evaluation: ${outcome.finalEval.return.mean.toFixed(1)} ± ${outcome.finalEval.return.std.toFixed(1)} over ${outcome.finalEval.episodes} episodes — goal ≥ ${GOAL_RETURN}: ${results.goals[0].pass ? 'PASS' : 'FAIL'}`,
);
