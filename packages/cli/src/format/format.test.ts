import { describe, expect, it } from 'vitest';
import type { EvaluationSummary } from '../evaluation.js';
import { evaluationJsonLine, evaluationTable } from './evaluation.js';
import { formatMetric, formatNumber } from './numbers.js';
import { renderTable } from './table.js';

const summary: EvaluationSummary = {
  env: 'CartPole-v1',
  policy: 'random',
  episodes: 3,
  seed: 7,
  return: { mean: 20, std: 8.16496580927726, min: 10, max: 30 },
  length: { mean: 20, std: 8.16496580927726, min: 10, max: 30 },
};

describe('renderTable', () => {
  it('pads columns to the widest cell and right-aligns numeric columns', () => {
    const text = renderTable(
      [
        { name: 'a', n: '1' },
        { name: 'longer', n: '100' },
      ],
      [
        { header: 'name', value: (r) => r.name },
        { header: 'n', value: (r) => r.n, align: 'right' },
      ],
    );
    expect(text.split('\n')).toEqual(['name      n', '──────  ───', 'a         1', 'longer  100']);
  });
});

describe('formatNumber', () => {
  it('uses fixed decimals, exponents for extreme magnitudes, and symbols for NaN and infinities', () => {
    expect(formatNumber(22.3456)).toBe('22.35');
    expect(formatNumber(-1, 1)).toBe('-1.0');
    expect(formatNumber(0)).toBe('0.00');
    expect(formatNumber(1.5e-5)).toBe('1.50e-5');
    expect(formatNumber(3e9)).toBe('3.00e+9');
    expect(formatNumber(NaN)).toBe('–');
    expect(formatNumber(-Infinity)).toBe('-∞');
  });

  it('shows integer metrics without decimals', () => {
    expect(formatMetric(3)).toBe('3');
    expect(formatMetric(0.123456)).toBe('0.1235');
  });
});

describe('evaluation output', () => {
  it('writes the --json line with exactly the documented keys, in order', () => {
    const line = evaluationJsonLine({ ...summary, extra: true } as EvaluationSummary);
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line);
    expect(Object.keys(parsed)).toEqual(['env', 'policy', 'episodes', 'seed', 'return', 'length']);
    expect(Object.keys(parsed.return)).toEqual(['mean', 'std', 'min', 'max']);
    expect(parsed.return.std).toBeCloseTo(8.165, 3);
  });

  it('shows one table row per policy with return mean ± std, min, max and mean length', () => {
    const lines = evaluationTable([summary, { ...summary, policy: 'constant', return: { mean: 9.4, std: 0.8, min: 8, max: 11 } }]).split('\n');
    expect(lines[0]).toMatch(/^policy\s+episodes\s+return \(mean ± std\)\s+min\s+max\s+length \(mean\)$/);
    expect(lines[2]).toMatch(/^random\s+3\s+20\.00 ± 8\.16\s+10\.00\s+30\.00\s+20\.0$/);
    expect(lines[3]).toMatch(/^constant\s+3\s+9\.40 ± 0\.80\s+8\.00\s+11\.00\s+20\.0$/);
  });
});
