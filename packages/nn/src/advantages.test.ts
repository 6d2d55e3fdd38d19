import { describe, expect, it } from 'vitest';
import { Rng } from '@rlft/core';
import { computeGae, discountedReturns, groupRelativeAdvantages, meanStd, normalize, rlooAdvantages } from './advantages.js';

const close = (values: ArrayLike<number>, digits = 6) => Array.from(values, (v) => expect.closeTo(v, digits));

describe('computeGae', () => {
  // 3 steps × 2 envs, time-major ([t·N + i]); env 0's episode ends with its transition at t = 1.
  const rollout = {
    rewards: [1, 0, /* t=1 */ 2, 1, /* t=2 */ 3, -1],
    values: [0.5, 1, /* t=1 */ 1, 0, /* t=2 */ 1.5, 2],
    dones: [0, 0, /* t=1 */ 1, 0, /* t=2 */ 0, 0],
    lastValues: [2, 4],
    numEnvs: 2,
  };

  it('matches the recursion worked out by hand (γ = λ = 0.5)', () => {
    // δ_t = r_t + γ(1 − d_t)V_{t+1} − V_t;  A_t = δ_t + γλ(1 − d_t)A_{t+1};  γλ = 0.25.
    // env 0: t=2: δ = 3 + 0.5·2 − 1.5 = 2.5, A = 2.5
    //        t=1 (done): δ = 2 − 1 = 1, A = 1 (nothing flows back across the episode end)
    //        t=0: δ = 1 + 0.5·1 − 0.5 = 1, A = 1 + 0.25·1 = 1.25
    // env 1: t=2: δ = −1 + 0.5·4 − 2 = −1, A = −1
    //        t=1: δ = 1 + 0.5·2 − 0 = 2, A = 2 + 0.25·(−1) = 1.75
    //        t=0: δ = 0 + 0.5·0 − 1 = −1, A = −1 + 0.25·1.75 = −0.5625
    const { advantages, returns } = computeGae({ ...rollout, gamma: 0.5, lambda: 0.5 });
    expect(Array.from(advantages)).toEqual(close([1.25, -0.5625, 1, 1.75, 2.5, -1]));
    // returns = A + V
    expect(Array.from(returns)).toEqual(close([1.75, 0.4375, 2, 1.75, 4, 1]));
  });

  it('is the one-step TD error at λ = 0 and the bootstrapped Monte-Carlo return minus V at λ = 1', () => {
    const td = computeGae({ ...rollout, gamma: 0.5, lambda: 0 }).advantages;
    expect(Array.from(td)).toEqual(close([1 + 0.5 * 1 - 0.5, 0 + 0.5 * 0 - 1, 2 - 1, 1 + 0.5 * 2 - 0, 3 + 0.5 * 2 - 1.5, -1 + 0.5 * 4 - 2]));
    const full = computeGae({ ...rollout, gamma: 0.5, lambda: 1 }).returns;
    expect(Array.from(full)).toEqual(close(discountedReturns({ ...rollout, gamma: 0.5 })));
  });

  it("agrees with CleanRL's loop, whose dones flag the first observation after an episode end", () => {
    const rng = Rng.fromSeed(31);
    const T = 16;
    const N = 3;
    const rewards = Array.from({ length: T * N }, () => rng.normal());
    const values = Array.from({ length: T * N }, () => rng.normal());
    const dones = Array.from({ length: T * N }, () => (rng.random() < 0.15 ? 1 : 0));
    const lastValues = [rng.normal(), rng.normal(), rng.normal()];
    const gamma = 0.99;
    const lambda = 0.95;
    // CleanRL: dones[t] marks obs t as the first of an episode, so their dones[t + 1] is our dones[t]
    // and their next_done is our dones[T − 1].
    const expected = new Array<number>(T * N);
    for (let i = 0; i < N; i++) {
      let lastGaeLam = 0;
      for (let t = T - 1; t >= 0; t--) {
        const nextNonTerminal = 1 - dones[t * N + i];
        const nextValues = t === T - 1 ? lastValues[i] : values[(t + 1) * N + i];
        const delta = rewards[t * N + i] + gamma * nextValues * nextNonTerminal - values[t * N + i];
        lastGaeLam = delta + gamma * lambda * nextNonTerminal * lastGaeLam;
        expected[t * N + i] = lastGaeLam;
      }
    }
    const out = { advantages: new Float32Array(T * N), returns: new Float32Array(T * N) };
    const result = computeGae({ rewards, values, dones, lastValues, gamma, lambda, numEnvs: N, out });
    expect(result.advantages).toBe(out.advantages);
    expect(Array.from(result.advantages)).toEqual(close(expected, 5));
  });

  it('rejects inconsistent rollouts', () => {
    expect(() => computeGae({ ...rollout, values: [1, 2], gamma: 0.9, lambda: 0.9 })).toThrow(/values has length 2, expected 6/);
    expect(() => computeGae({ ...rollout, numEnvs: 4, gamma: 0.9, lambda: 0.9 })).toThrow(/not a multiple of numEnvs \(4\)/);
    expect(() => computeGae({ ...rollout, lastValues: [1], gamma: 0.9, lambda: 0.9 })).toThrow(/lastValues has length 1/);
    expect(() => computeGae({ ...rollout, gamma: 1.5, lambda: 0.9 })).toThrow(/gamma must be in \[0, 1\]/);
  });
});

describe('discountedReturns', () => {
  const rollout = { rewards: [1, 0, 2, 1, 3, -1], dones: [0, 0, 1, 0, 0, 0], numEnvs: 2, gamma: 0.5 };

  it('sums discounted rewards to the episode end (γ = 0.5)', () => {
    // env 0: G2 = 3, G1 = 2 (done), G0 = 1 + 0.5·2 = 2;  env 1: G2 = −1, G1 = 1 − 0.5 = 0.5, G0 = 0.25.
    expect(Array.from(discountedReturns(rollout))).toEqual(close([2, 0.25, 2, 0.5, 3, -1]));
  });

  it('bootstraps unfinished episodes from lastValues', () => {
    // env 0: G2 = 3 + 0.5·2 = 4, G1 = 2, G0 = 2;  env 1: G2 = −1 + 0.5·4 = 1, G1 = 1.5, G0 = 0.75.
    expect(Array.from(discountedReturns({ ...rollout, lastValues: [2, 4] }))).toEqual(close([2, 0.75, 2, 1.5, 4, 1]));
  });
});

describe('normalize', () => {
  it('standardises with the unbiased std, as torch', () => {
    // mean 2.5; unbiased variance (2.25 + 0.25 + 0.25 + 2.25)/3 = 5/3.
    const std = Math.sqrt(5 / 3);
    expect(Array.from(normalize([1, 2, 3, 4]))).toEqual(close([-1.5 / std, -0.5 / std, 0.5 / std, 1.5 / std]));
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: expect.closeTo(std, 12) });
    expect(Array.from(normalize([5]))).toEqual([0]);
    expect(Array.from(normalize([2, 2, 2]))).toEqual([0, 0, 0]);
  });
});

describe('group-relative and leave-one-out advantages', () => {
  // Two prompts × G = 4 completions, contiguous per prompt.
  const rewards = [1, 0, 0, 1, 2, 2, 2, 2];

  it("scale by the group's std (GRPO)", () => {
    // group 1: mean 0.5, unbiased std √(4·0.25/3) = √(1/3); group 2 is constant: advantages 0.
    const a = 0.5 / (Math.sqrt(1 / 3) + 1e-4);
    expect(Array.from(groupRelativeAdvantages(rewards, 4))).toEqual(close([a, -a, -a, a, 0, 0, 0, 0]));
  });

  it("scale by the whole batch's std, or not at all", () => {
    // batch: mean 1.25, squared deviations 0.0625 + 1.5625 + 1.5625 + 0.0625 + 4·0.5625 = 5.5.
    const b = 0.5 / (Math.sqrt(5.5 / 7) + 1e-4);
    expect(Array.from(groupRelativeAdvantages(rewards, 4, 'batch'))).toEqual(close([b, -b, -b, b, 0, 0, 0, 0]));
    expect(Array.from(groupRelativeAdvantages(rewards, 4, 'none'))).toEqual(close([0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0]));
    expect(Array.from(groupRelativeAdvantages([1, 2], 2, 'group', 0.5))).toEqual(close([-0.5 / (Math.SQRT1_2 + 0.5), 0.5 / (Math.SQRT1_2 + 0.5)]));
  });

  it('reject groups that do not tile the batch and unknown scales', () => {
    expect(() => groupRelativeAdvantages(rewards, 3)).toThrow(/8 rewards do not split into groups of 3/);
    expect(() => groupRelativeAdvantages(rewards, 4, 'token' as never)).toThrow(/unknown scale 'token'; allowed: group, batch, none/);
  });

  it('subtract the mean of the other completions (RLOO)', () => {
    // [3, 0, 6]: baselines (0 + 6)/2 = 3, (3 + 6)/2 = 4.5, (3 + 0)/2 = 1.5.
    expect(Array.from(rlooAdvantages([3, 0, 6, 1, 1, 1], 3))).toEqual(close([0, -4.5, 4.5, 0, 0, 0]));
    // Equivalent form G/(G − 1)·(r − mean).
    const rng = Rng.fromSeed(32);
    const random = Array.from({ length: 12 }, () => rng.normal());
    const rloo = rlooAdvantages(random, 4);
    for (let g = 0; g < 3; g++) {
      const mean = random.slice(4 * g, 4 * g + 4).reduce((s, r) => s + r, 0) / 4;
      for (let i = 4 * g; i < 4 * g + 4; i++) expect(rloo[i]).toBeCloseTo((4 / 3) * (random[i] - mean), 5);
    }
    expect(() => rlooAdvantages([1, 2], 1)).toThrow(/groupSize must be an integer ≥ 2/);
  });
});
