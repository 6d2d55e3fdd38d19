import { groupRelativeAdvantages, initEngine, np } from '@rlft/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregationWeights, policyObjective, type LossAggregation } from './objective.js';
import { buildGroupBatch, rewardStatistics } from './llm/groups.js';

beforeAll(async () => {
  await initEngine('wasm');
});

describe('group-relative advantages', () => {
  // Two groups of 3: rewards [1, 2, 3] (mean 2, unbiased std 1) and [5, 5, 5] (std 0).
  const rewards = [1, 2, 3, 5, 5, 5];
  it('divides by the group std, the batch std, or nothing', () => {
    expect(Array.from(groupRelativeAdvantages(rewards, 3, 'group'))).toEqual([-1 / 1.0001, 0, 1 / 1.0001, 0, 0, 0].map(Math.fround));
    // Batch: mean 3.5, Σ(r − 3.5)² = 6.25 + 2.25 + 0.25 + 3·2.25 = 15.5, unbiased std √(15.5/5) = 1.76068…
    const batchStd = Math.sqrt(15.5 / 5) + 1e-4;
    const batch = Array.from(groupRelativeAdvantages(rewards, 3, 'batch'));
    [-1 / batchStd, 0, 1 / batchStd, 0, 0, 0].forEach((value, i) => expect(batch[i]).toBeCloseTo(value, 6));
    expect(Array.from(groupRelativeAdvantages(rewards, 3, 'none'))).toEqual([-1, 0, 1, 0, 0, 0]);
  });

  it('reports the fraction of groups without a reward spread', () => {
    expect(rewardStatistics(rewards, 3)).toEqual({ mean: 3.5, std: Math.sqrt(15.5 / 6), fracZeroStd: 0.5 });
  });
});

describe('aggregationWeights', () => {
  it('weighs each token of a sequence as its loss type says', () => {
    // Completions of 2 and 3 tokens, max_completion_length 4.
    expect(aggregationWeights([2, 3], 'grpo')).toEqual([1 / 4, 1 / 6]);
    expect(aggregationWeights([2, 3], 'bnpo')).toEqual([1 / 5, 1 / 5]);
    expect(aggregationWeights([2, 3], 'dapo')).toEqual([1 / 5, 1 / 5]);
    expect(aggregationWeights([2, 3], 'dr_grpo', 4)).toEqual([1 / 8, 1 / 8]);
    expect(aggregationWeights([0, 3], 'grpo')).toEqual([0, 1 / 6]);
  });

  it('refuses what it cannot aggregate, naming what is allowed', () => {
    expect(() => aggregationWeights([2, 3], 'dr_grpo')).toThrow('dr_grpo needs maxLength ≥ the longest sequence (3)');
    expect(() => aggregationWeights([2, 3], 'token' as LossAggregation)).toThrow("unknown aggregation 'token'; allowed: grpo, bnpo, dr_grpo, dapo");
  });
});

/**
 * Two completions laid out [B = 2, T = 3]: the first has 2 tokens (A = +1), the second 3 (A = −2).
 * log ρ per token: row 0: [pad, 0, ln 1.5]; row 1: [0, ln 0.5, ln 1.1]; ε = 0.2.
 * L = −min(ρA, clip(ρ, 0.8, 1.2)·A):
 *   row 0: ρ 1 → −1; ρ 1.5 → −min(1.5, 1.2) = −1.2
 *   row 1: ρ 1 → 2; ρ 0.5 → −min(−1, −1.6) = 1.6; ρ 1.1 → 2.2
 * grpo: ½[(−2.2)/2 + 5.8/3] = 0.416667; bnpo = dapo: 3.6/5 = 0.72; dr_grpo (max 4): 3.6/8 = 0.45.
 */
const LENGTHS = [2, 3];
const MASK = [0, 1, 1, 1, 1, 1];
const OLD = [0, -1, -2, -1, -1.5, -0.5];
const LOG_RATIO = [0, 0, Math.log(1.5), 0, Math.log(0.5), Math.log(1.1)];
const ADVANTAGES = [1, 1, 1, -2, -2, -2];
const EXPECTED: Record<LossAggregation, number> = { grpo: 0.5 * (-2.2 / 2 + 5.8 / 3), bnpo: 0.72, dapo: 0.72, dr_grpo: 0.45 };

function tokenWeights(aggregation: LossAggregation): number[] {
  const perSequence = aggregationWeights(LENGTHS, aggregation, 4);
  return MASK.map((m, k) => m * perSequence[Math.floor(k / 3)]!);
}

async function objective(aggregation: LossAggregation, options: { beta?: number; ref?: number[]; old?: boolean } = {}) {
  const shape = [2, 3];
  const logProbs = np.array(OLD.map((o, k) => o + LOG_RATIO[k]!), { shape });
  const [loss, aux] = policyObjective(
    logProbs,
    {
      advantages: np.array(ADVANTAGES, { shape }),
      weights: np.array(tokenWeights(aggregation), { shape }),
      ...(options.old === false ? {} : { oldLogProbs: np.array(OLD, { shape }) }),
      ...(options.ref ? { refLogProbs: np.array(options.ref, { shape }) } : {}),
    },
    { epsilonLow: 0.2, epsilonHigh: 0.2, beta: options.beta ?? 0, klEstimator: 'k3' },
  );
  const values: Record<string, number> = { loss: await loss.item() };
  for (const [key, value] of Object.entries(aux)) values[key] = await value.item();
  return values;
}

describe('policyObjective', () => {
  for (const aggregation of ['grpo', 'bnpo', 'dr_grpo', 'dapo'] as const) {
    it(`aggregates the clipped per-token loss as '${aggregation}'`, async () => {
      const values = await objective(aggregation);
      expect(values.loss).toBeCloseTo(EXPECTED[aggregation], 5);
    });
  }

  it('reports the weighted fraction of clipped ratios', async () => {
    // ρ 1.5 (row 0) and ρ 0.5 (row 1) fall outside [0.8, 1.2]: grpo weights 1/4 + 1/6; bnpo 2 of 5 tokens.
    expect((await objective('grpo')).clip_fraction).toBeCloseTo(1 / 4 + 1 / 6, 6);
    expect((await objective('bnpo')).clip_fraction).toBeCloseTo(0.4, 6);
  });

  it('adds β times the k3 KL to the reference', async () => {
    // The reference differs on row 0's first token: d = log π_ref − log π = ln 2, k3 = 2 − ln 2 − 1.
    const logProbs = OLD.map((o, k) => o + LOG_RATIO[k]!);
    const ref = logProbs.map((l, k) => (k === 1 ? l + Math.log(2) : l));
    const k3 = 1 - Math.log(2);
    const values = await objective('grpo', { beta: 0.1, ref });
    expect(values.loss).toBeCloseTo(EXPECTED.grpo + 0.1 * k3 * (1 / 4), 5);
    expect(values.kl).toBeCloseTo(k3 / 4, 5);
  });

  it('uses log π detached as the old log-probs when none are given (ratio 1)', async () => {
    // ρ = 1 everywhere: L = −A per token; grpo: ½[(−1 − 1)/2 + (2 + 2 + 2)/3] = 0.5.
    const values = await objective('grpo', { old: false });
    expect(values.loss).toBeCloseTo(0.5, 6);
    expect(values.clip_fraction).toBe(0);
  });

  it('needs the reference log-probs when β > 0', async () => {
    await expect(objective('grpo', { beta: 0.1 })).rejects.toThrow('beta > 0 needs the reference log-probs');
  });
});

describe('buildGroupBatch', () => {
  it('puts each completion’s advantage and weight on its completion tokens only', () => {
    const batch = buildGroupBatch([[5, 6], [5, 6]], [[7], [8, 9]], [1, 0], { groupSize: 2, scale: 'none', aggregation: 'grpo', maxCompletionLength: 4 });
    const T = batch.sequences.length;
    expect(Array.from(batch.advantages)).toEqual([0.5, -0.5]);
    // Row 0 counts its last target, row 1 its last two.
    expect(Array.from(batch.tokenAdvantages.subarray(0, T)).filter((a) => a !== 0)).toEqual([0.5]);
    expect(Array.from(batch.tokenAdvantages.subarray(T)).filter((a) => a !== 0)).toEqual([-0.5, -0.5]);
    expect(Array.from(batch.tokenWeights.subarray(T - 1, T + 0))).toEqual([0.5]);
    expect(Array.from(batch.tokenWeights.subarray(2 * T - 2))).toEqual([0.25, 0.25]);
    expect(batch.tokenWeights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 6);
  });
});
