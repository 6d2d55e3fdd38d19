import { relative } from 'node:path';
import { stringify } from 'yaml';
import type { EvaluationSummary } from './evaluation.js';
import { formatMetric, formatNumber } from './format/numbers.js';
import type { RunRecord } from './run-record.js';

export interface RunSummaryInput {
  runDir: string;
  record: RunRecord;
  steps: number | null;
  wallSeconds: number;
  interrupted: boolean;
  resumedFrom?: string;
  checkpoint?: string;
  metrics: Record<string, number>;
  finalEval?: EvaluationSummary;
  /** Why there is no final evaluation, when there is none. */
  evalSkipped?: string;
}

/**
 * The run's `summary.md`: what ran, how far it got, the algorithm's final metrics and the final
 * evaluation. The config block is a preset: `rlft run --config` with it repeats the run.
 */
export function runSummary(input: RunSummaryInput): string {
  const { record } = input;
  const inRun = (path: string): string => relative(input.runDir, path) || '.';
  const lines = [`# ${record.algo} on ${record.env}`, ''];
  lines.push(`- command: \`${record.command}\``);
  lines.push(`- seed: ${record.seed}`);
  lines.push(`- steps: ${input.steps ?? 'unknown'} of ${String(record.config.total_timesteps ?? 'unknown')}`);
  lines.push(`- wall time: ${formatNumber(input.wallSeconds, 1)} s${input.resumedFrom ? ' (since the resume)' : ''}`);
  if (input.resumedFrom) lines.push(`- resumed from: ${inRun(input.resumedFrom)}`);
  lines.push(`- finished: ${input.interrupted ? 'no (interrupted; continue with `rlft run --resume <this directory>`)' : 'yes'}`);
  if (input.checkpoint) lines.push(`- last checkpoint: ${inRun(input.checkpoint)}`);
  lines.push(`- rlft ${record.rlft_version}`);

  lines.push('', '## Config', '', '```yaml', stringify(presetOf(record)).trimEnd(), '```');

  const metrics = Object.entries(input.metrics);
  if (metrics.length) {
    lines.push('', '## Final metrics', '', '| metric | value |', '|---|---:|', ...metrics.map(([name, value]) => `| ${name} | ${formatMetric(value)} |`));
  }

  lines.push('', '## Final evaluation', '');
  const evaluation = input.finalEval;
  if (evaluation) {
    const last = evaluation.seed + evaluation.episodes - 1;
    lines.push(
      `Policy \`${evaluation.policy}\` (deterministic) on ${evaluation.env}, ${evaluation.episodes} episodes, seeds ${evaluation.seed}…${last}.`,
      '',
      '| | mean | std | min | max |',
      '|---|---:|---:|---:|---:|',
      `| return | ${formatNumber(evaluation.return.mean)} | ${formatNumber(evaluation.return.std)} | ${formatNumber(evaluation.return.min)} | ${formatNumber(evaluation.return.max)} |`,
      `| length | ${formatNumber(evaluation.length.mean, 1)} | ${formatNumber(evaluation.length.std, 1)} | ${formatNumber(evaluation.length.min, 0)} | ${formatNumber(evaluation.length.max, 0)} |`,
    );
  } else {
    lines.push(`None: ${input.evalSkipped ?? 'not run'}.`);
  }
  return `${lines.join('\n')}\n`;
}

/** The run's settings in preset form (the keys `rlft run --config` reads). */
export function presetOf(record: RunRecord): Record<string, unknown> {
  return {
    env: record.env,
    ...(Object.keys(record.env_kwargs).length ? { env_kwargs: record.env_kwargs } : {}),
    algo: record.algo,
    seed: record.seed,
    config: record.config,
    eval: record.eval,
  };
}
