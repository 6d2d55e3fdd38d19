import type { EvaluationSummary } from '../evaluation.js';
import { formatNumber } from './numbers.js';
import { renderTable } from './table.js';

/**
 * The `--json` line: exactly these keys, in this order (scripts read the last line of stdout);
 * `policy_stats` is added last for policies that report diagnostics (language models).
 */
export function evaluationJsonLine(summary: EvaluationSummary): string {
  const stats = (s: EvaluationSummary['return']) => ({ mean: s.mean, std: s.std, min: s.min, max: s.max });
  return JSON.stringify({
    env: summary.env,
    policy: summary.policy,
    episodes: summary.episodes,
    seed: summary.seed,
    return: stats(summary.return),
    length: stats(summary.length),
    ...(summary.policyStats ? { policy_stats: summary.policyStats } : {}),
  });
}

/** The readable form: one row per policy. */
export function evaluationTable(summaries: readonly EvaluationSummary[]): string {
  return renderTable(summaries, [
    { header: 'policy', value: (s) => s.policy },
    { header: 'episodes', value: (s) => String(s.episodes), align: 'right' },
    { header: 'return (mean ± std)', value: (s) => `${formatNumber(s.return.mean)} ± ${formatNumber(s.return.std)}`, align: 'right' },
    { header: 'min', value: (s) => formatNumber(s.return.min), align: 'right' },
    { header: 'max', value: (s) => formatNumber(s.return.max), align: 'right' },
    { header: 'length (mean)', value: (s) => formatNumber(s.length.mean, 1), align: 'right' },
  ]);
}

/** The policies' own diagnostics under the table, one indented block per policy that has any. */
export function policyStatsText(summaries: readonly EvaluationSummary[]): string {
  const blocks: string[] = [];
  for (const summary of summaries) {
    if (!summary.policyStats || Object.keys(summary.policyStats).length === 0) continue;
    const lines = Object.entries(summary.policyStats).map(([key, value]) => `  ${key}: ${statValueText(value)}`);
    blocks.push(`${summary.policy}:\n${lines.join('\n')}`);
  }
  return blocks.join('\n');
}

function statValueText(value: number | string | Record<string, number>): string {
  if (typeof value === 'number') return countOrNumber(value);
  if (typeof value === 'string') return value;
  const parts = Object.entries(value).map(([key, count]) => `${key} ${countOrNumber(count)}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** Counts as integers, measurements with formatNumber's precision. */
function countOrNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : formatNumber(value);
}
