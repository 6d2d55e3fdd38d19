import type { EvaluationSummary } from '../evaluation.js';
import { formatNumber } from './numbers.js';
import { renderTable } from './table.js';

/** The `--json` line: exactly these keys, in this order (scripts read the last line of stdout). */
export function evaluationJsonLine(summary: EvaluationSummary): string {
  const stats = (s: EvaluationSummary['return']) => ({ mean: s.mean, std: s.std, min: s.min, max: s.max });
  return JSON.stringify({
    env: summary.env,
    policy: summary.policy,
    episodes: summary.episodes,
    seed: summary.seed,
    return: stats(summary.return),
    length: stats(summary.length),
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
