// The reference workflow of issue 8, end to end with the real CLI: for CartPole-v1 and
// HalfCheetah-v5, SFT of a from-scratch language model on the shipped expert dataset, GRPO
// (format + behaviour-cloning rewards) starting from the SFT run, then every policy on the same
// seeds: random, constant, the MLP expert the dataset came from, the SFT model and the SFT+GRPO
// model. Writes bench/results/llm-control.json and prints the README's table.
//
//   npm run bench:llm                   (builds first; tens of minutes on the 2-core machine)
//   node bench/llm-control.bench.ts [--envs CartPole-v1,HalfCheetah-v5] [--episodes 20]
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '@rlft/core';
import { formatTable, machineInfo } from './harness.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const cli = join(repoRoot, 'packages', 'cli', 'bin', 'run.js');
const RESULTS = join(repoRoot, 'bench', 'results', 'llm-control.json');
const PRESETS: Record<string, { sft: string; grpo: string }> = {
  'CartPole-v1': { sft: 'config/sft-cartpole.yaml', grpo: 'config/grpo-cartpole.yaml' },
  'HalfCheetah-v5': { sft: 'config/sft-cheetah.yaml', grpo: 'config/grpo-cheetah.yaml' },
};

const { values: args } = parseArgs({ options: { envs: { type: 'string', default: Object.keys(PRESETS).join(',') }, episodes: { type: 'string', default: '20' }, seed: { type: 'string', default: '20000' } } });
const envs = args.envs.split(',');
const out = join(repoRoot, 'runs', 'llm-control');

/** Run the CLI; its last stdout line is JSON (every command here takes --json). */
function rlft(argv: string[]): Record<string, any> {
  process.stderr.write(`$ rlft ${argv.join(' ')}\n`);
  const result = spawnSync(process.execPath, [cli, ...argv, '--json'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 2 ** 20 });
  if (result.status !== 0) throw new Error(`rlft ${argv.join(' ')} exited with ${result.status}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!);
}

/** Every JSON line of an `rlft eval --json` (one per policy). */
function evaluate(env: string, argv: string[]): Record<string, any>[] {
  process.stderr.write(`$ rlft eval --env ${env} ${argv.join(' ')}\n`);
  const result = spawnSync(process.execPath, [cli, 'eval', '--env', env, '--episodes', args.episodes, '--seed', args.seed, ...argv, '--json'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error(`rlft eval ${argv.join(' ')} exited with ${result.status}`);
  return result.stdout.trim().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
}

const results: Record<string, unknown>[] = [];
for (const env of envs) {
  const presets = PRESETS[env];
  if (!presets) throw new Error(`no presets for ${env}; known: ${Object.keys(PRESETS).join(', ')}`);
  const sft = rlft(['run', '--config', presets.sft, '--out', out, '--eval-episodes', '0']);
  const grpo = rlft(['run', '--config', presets.grpo, '--init', sft.runDir, '--out', out, '--eval-episodes', '0']);
  const rows = [
    ...evaluate(env, ['--policy', 'random,constant,expert']),
    { ...evaluate(env, ['--policy', 'llm', '--model', sft.runDir])[0], policy: 'sft' },
    { ...evaluate(env, ['--policy', 'llm', '--model', grpo.runDir])[0], policy: 'sft+grpo' },
  ];
  results.push({ env, sft: { runDir: sft.runDir, wallSeconds: sft.wallSeconds }, grpo: { runDir: grpo.runDir, wallSeconds: grpo.wallSeconds }, evaluations: rows });
}

writeFileAtomic(
  RESULTS,
  `${JSON.stringify({ benchmark: 'llm-control', date: new Date().toISOString(), machine: machineInfo(), episodes: Number(args.episodes), seed: Number(args.seed), results }, null, 2)}\n`,
);
const failures = (row: Record<string, any>) => {
  const stats = row.policy_stats;
  return stats ? `${((100 * stats.failures) / Math.max(1, stats.completions)).toFixed(1)}%` : '–';
};
console.log(
  formatTable(
    ['env', 'policy', 'return (mean ± std)', 'parse failures'],
    results.flatMap((r) => (r.evaluations as Record<string, any>[]).map((row) => [String(r.env), String(row.policy), `${row.return.mean.toFixed(1)} ± ${row.return.std.toFixed(1)}`, failures(row)])),
  ),
);
console.log(`Wrote ${RESULTS}`);
