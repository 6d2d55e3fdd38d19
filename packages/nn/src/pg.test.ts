import { beforeAll, describe, expect, it } from 'vitest';
import { jit, valueAndGrad, numpy as np } from '@jax-js/jax';
import { Rng } from '@rlft/core';
import { initEngine } from './engine.js';
import { engineGradient, gradientError, numericalGradient, type HostArray } from './gradcheck.js';
import { approxKl, clipFraction, clippedSurrogate, klEstimate, normalizeEngine, valueLoss, valueLossElements, type KlEstimator } from './pg.js';

beforeAll(async () => {
  await initEngine('wasm');
});

const N = 24;
const tensor = (data: ArrayLike<number>) => np.array(Float32Array.from(data));
const read = (x: np.Array) => Array.from(x.dataSync());
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const weightedSum = (values: number[], weights: number[]) => values.reduce((sum, v, i) => sum + v * weights[i], 0);

/** Normal draws, redrawn while `avoid` says a value sits too close to a kink of the function under test. */
function draws(rng: Rng, n: number, std: number, avoid: (x: number) => boolean = () => false): number[] {
  return Array.from({ length: n }, () => {
    let x = rng.normal(0, std);
    while (avoid(x)) x = rng.normal(0, std);
    return x;
  });
}

/** Engine gradient of Σ wᵢ·f(args)ᵢ against central differences of the same sum in float64. */
function expectGradientsMatch(
  engine: (...args: np.Array[]) => np.Array,
  reference: (...args: ArrayLike<number>[]) => number[],
  inputs: number[][],
  weights: number[],
): number {
  const hostInputs: HostArray[] = inputs.map((data) => ({ data, shape: [data.length] }));
  let worst = 0;
  inputs.forEach((_, argnum) => {
    const actual = engineGradient((...args) => np.sum(engine(...args).mul(tensor(weights))), hostInputs, argnum);
    const expected = numericalGradient((x) => weightedSum(reference(...inputs.map((input, k) => (k === argnum ? x : input))), weights), inputs[argnum]);
    const error = gradientError(actual, expected);
    expect(error, `gradient in argument ${argnum}`).toBeLessThan(1e-4);
    worst = Math.max(worst, error);
  });
  return worst;
}

// Plain float64 reimplementations, from the definitions.
const clip = (x: number, low: number, high: number) => Math.min(Math.max(x, low), high);
const surrogateReference = (epsLow: number, epsHigh: number) => (logRatio: ArrayLike<number>, advantages: ArrayLike<number>) =>
  Array.from(logRatio, (lr, i) => {
    const ratio = Math.exp(lr);
    return -Math.min(ratio * advantages[i], clip(ratio, 1 - epsLow, 1 + epsHigh) * advantages[i]);
  });
const valueReference = (c?: number) => (values: ArrayLike<number>, returns: ArrayLike<number>, old: ArrayLike<number>) =>
  Array.from(values, (v, i) => {
    const unclipped = (v - returns[i]) ** 2;
    if (c === undefined) return 0.5 * unclipped;
    return 0.5 * Math.max(unclipped, (old[i] + clip(v - old[i], -c, c) - returns[i]) ** 2);
  });
const klReference = (estimator: KlEstimator) => (logp: ArrayLike<number>, logpRef: ArrayLike<number>) =>
  Array.from(logp, (lp, i) => {
    const d = logpRef[i] - lp;
    return estimator === 'k1' ? -d : estimator === 'k2' ? 0.5 * d * d : Math.exp(d) - d - 1;
  });
function normalizeReference(x: ArrayLike<number>): number[] {
  const values = Array.from(x);
  const m = mean(values);
  const std = Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
  return values.map((v) => (v - m) / (std + 1e-8));
}

describe('clippedSurrogate', () => {
  const rng = Rng.fromSeed(41);
  const nearBoundary = (epsLow: number, epsHigh: number) => (lr: number) =>
    Math.abs(lr - Math.log(1 - epsLow)) < 1e-3 || Math.abs(lr - Math.log(1 + epsHigh)) < 1e-3;

  for (const [epsLow, epsHigh] of [[0.2, 0.2], [0.2, 0.28]]) {
    it(`matches −min(ρA, clip(ρ)A) and its gradient (ε ${epsLow}/${epsHigh})`, () => {
      const logRatio = draws(rng, N, 0.3, nearBoundary(epsLow, epsHigh));
      const advantages = draws(rng, N, 1);
      const reference = surrogateReference(epsLow, epsHigh);
      const losses = read(clippedSurrogate(tensor(logRatio), tensor(advantages), epsLow, epsHigh));
      reference(logRatio, advantages).forEach((expected, i) => expect(losses[i]).toBeCloseTo(expected, 5));
      // The draws cover both sides: clipped elements (zero gradient in ρ) and unclipped ones.
      const clipped = logRatio.filter((lr) => Math.exp(lr) < 1 - epsLow || Math.exp(lr) > 1 + epsHigh).length;
      expect(clipped).toBeGreaterThan(2);
      expect(clipped).toBeLessThan(N - 2);
      const weights = draws(rng, N, 1);
      expectGradientsMatch((lr, a) => clippedSurrogate(lr, a, epsLow, epsHigh), reference, [logRatio, advantages], weights);
    });
  }

  it('counts the fraction of clipped ratios', () => {
    const logRatio = [0.7, 0.85, 1, 1.25, 1.3].map(Math.log);
    expect(clipFraction(tensor(logRatio), 0.2).item()).toBeCloseTo(3 / 5, 6);
    expect(clipFraction(tensor(logRatio), 0.2, 0.28).item()).toBeCloseTo(2 / 5, 6);
    expect(() => clippedSurrogate(tensor([0]), tensor([0]), 1.2)).toThrow(/0 ≤ epsLow < 1/);
  });
});

describe('valueLoss', () => {
  const rng = Rng.fromSeed(42);
  const values = draws(rng, N, 1);
  const returns = draws(rng, N, 1);
  const c = 0.2;
  // Old values within 2c of the new ones, away from |v − v_old| = c and from ties of the two squares.
  const oldValues = values.map((v, i) => {
    for (;;) {
      const old = v + rng.uniform(-2 * c, 2 * c);
      const clippedValue = old + clip(v - old, -c, c);
      if (Math.abs(Math.abs(v - old) - c) > 1e-3 && Math.abs((v - returns[i]) ** 2 - (clippedValue - returns[i]) ** 2) > 1e-3) return old;
    }
  });

  it('is ½·mean((v − R)²) without clipping', () => {
    const expected = mean(valueReference()(values, returns, oldValues));
    expect(valueLoss(tensor(values), tensor(returns)).item()).toBeCloseTo(expected, 5);
    const weights = draws(rng, N, 1);
    expectGradientsMatch((v, r) => valueLossElements(v, r), (v, r) => valueReference()(v, r, oldValues), [values, returns], weights);
  });

  it("is CleanRL's ½·mean(max((v − R)², (v_clipped − R)²)) with clipping", () => {
    const reference = valueReference(c);
    const elements = reference(values, returns, oldValues);
    const unclipped = valueReference()(values, returns, oldValues);
    // Some elements take the clipped branch, or the test would not exercise it.
    expect(elements.filter((e, i) => e > unclipped[i]).length).toBeGreaterThan(2);
    const loss = valueLoss(tensor(values), tensor(returns), { oldValues: tensor(oldValues), clip: c });
    expect(loss.item()).toBeCloseTo(mean(elements), 5);
    const weights = draws(rng, N, 1);
    expectGradientsMatch((v, r, o) => valueLossElements(v, r, { oldValues: o, clip: c }), reference, [values, returns, oldValues], weights);
  });

  it('needs oldValues and clip together', () => {
    expect(() => valueLoss(tensor([1]), tensor([0]), { clip: 0.2 })).toThrow(/oldValues and clip go together/);
    expect(() => valueLoss(tensor([1]), tensor([0]), { oldValues: tensor([1]) })).toThrow(/oldValues and clip go together/);
  });
});

describe('normalizeEngine', () => {
  it('standardises with the unbiased std, and differentiates through mean and std', () => {
    const rng = Rng.fromSeed(43);
    const x = draws(rng, N, 2).map((v) => v + 1);
    const normalized = read(normalizeEngine(tensor(x)));
    normalizeReference(x).forEach((expected, i) => expect(normalized[i]).toBeCloseTo(expected, 5));
    expect(read(normalizeEngine(tensor([1, 2, 3, 4])))).toEqual([-1.5, -0.5, 0.5, 1.5].map((v) => expect.closeTo(v / Math.sqrt(5 / 3), 5)));
    expectGradientsMatch((v) => normalizeEngine(v), normalizeReference, [x], draws(rng, N, 1));
  });
});

describe('klEstimate and approxKl', () => {
  const rng = Rng.fromSeed(44);
  const logp = draws(rng, N, 1).map((v) => v - 2);
  const logpRef = logp.map((v) => v + rng.normal(0, 0.5));

  for (const estimator of ['k1', 'k2', 'k3'] as const) {
    it(`${estimator} matches its definition and gradient`, () => {
      const reference = klReference(estimator);
      const estimates = read(klEstimate(tensor(logp), tensor(logpRef), estimator));
      reference(logp, logpRef).forEach((expected, i) => expect(estimates[i]).toBeCloseTo(expected, 5));
      expectGradientsMatch((a, b) => klEstimate(a, b, estimator), reference, [logp, logpRef], draws(rng, N, 1));
    });
  }

  it('k1 and k3 average to KL(π ‖ π_ref) under samples of π', () => {
    // π = N(0, 1), π_ref = N(0.5, 1): KL(π ‖ π_ref) = 0.5² / 2 = 0.125.
    const sampler = Rng.fromSeed(45);
    const xs = Array.from({ length: 20000 }, () => sampler.normal());
    const logDensity = (x: number, mu: number) => -0.5 * (x - mu) ** 2 - 0.5 * Math.log(2 * Math.PI);
    const lp = tensor(xs.map((x) => logDensity(x, 0)));
    const lpRef = tensor(xs.map((x) => logDensity(x, 0.5)));
    // The k1 mean has a standard error of 0.5/√20000 ≈ 0.0035 (d = 0.5x − 0.125); allow about 4 of them.
    expect(Math.abs(np.mean(klEstimate(lp.ref, lpRef.ref, 'k1')).item() - 0.125)).toBeLessThan(0.015);
    const k3 = klEstimate(lp, lpRef, 'k3');
    expect(np.min(k3.ref).item()).toBeGreaterThanOrEqual(0);
    expect(Math.abs(np.mean(k3).item() - 0.125)).toBeLessThan(0.015);
    expect(() => klEstimate(tensor([0]), tensor([0]), 'k4' as never)).toThrow(/unknown estimator 'k4'; allowed: k1, k2, k3/);
  });

  it("approxKl returns CleanRL's two diagnostics, differentiably", () => {
    const logRatio = draws(rng, N, 0.2);
    const { oldApproxKl, approxKl: kl } = approxKl(tensor(logRatio));
    expect(oldApproxKl.item()).toBeCloseTo(mean(logRatio.map((lr) => -lr)), 6);
    expect(kl.item()).toBeCloseTo(mean(logRatio.map((lr) => Math.exp(lr) - 1 - lr)), 6);
    const actual = engineGradient((lr) => approxKl(lr).approxKl, [{ data: logRatio, shape: [N] }]);
    const expected = numericalGradient((x) => mean(Array.from(x, (lr) => Math.exp(lr) - 1 - lr)), logRatio);
    expect(gradientError(actual, expected)).toBeLessThan(1e-4);
  });
});

describe('ownership', () => {
  it('every function consumes exactly the references it is given', () => {
    const a = tensor([0.1, -0.2, 0.3]);
    const b = tensor([1, -1, 0.5]);
    const c = tensor([0.2, 0, 0.1]);
    const outputs = [
      clippedSurrogate(a.ref, b.ref, 0.2),
      clipFraction(a.ref, 0.2, 0.3),
      valueLoss(a.ref, b.ref),
      valueLossElements(a.ref, b.ref, { oldValues: c.ref, clip: 0.2 }),
      normalizeEngine(a.ref),
      klEstimate(a.ref, b.ref, 'k3'),
      ...Object.values(approxKl(a.ref)),
    ];
    for (const output of outputs) output.dispose();
    expect([a.refCount, b.refCount, c.refCount]).toEqual([1, 1, 1]);
    // A rejected call releases what it would have consumed.
    expect(() => clippedSurrogate(a.ref, b.ref, -1)).toThrow(/epsLow/);
    expect(() => valueLoss(a.ref, b.ref, { oldValues: c.ref })).toThrow(/together/);
    expect([a.refCount, b.refCount, c.refCount]).toEqual([1, 1, 1]);
    for (const array of [a, b, c]) array.dispose();
  });
});

describe('a PPO loss built from these pieces', () => {
  it('compiles in one jit with its diagnostics as aux', () => {
    const rng = Rng.fromSeed(46);
    const logRatio = draws(rng, N, 0.3);
    const advantages = draws(rng, N, 1);
    const values = draws(rng, N, 1);
    const returns = draws(rng, N, 1);
    const step = jit(
      valueAndGrad(
        (lr: np.Array, v: np.Array, batch: { advantages: np.Array; returns: np.Array }): [np.Array, Record<'clipfrac' | 'approx_kl' | 'old_approx_kl', np.Array>] => {
          const policyLoss = np.mean(clippedSurrogate(lr.ref, normalizeEngine(batch.advantages), 0.2));
          const loss = policyLoss.add(valueLoss(v, batch.returns).mul(0.5));
          const { oldApproxKl, approxKl: kl } = approxKl(lr.ref);
          return [loss, { clipfrac: clipFraction(lr, 0.2), approx_kl: kl, old_approx_kl: oldApproxKl }];
        },
        { hasAux: true, argnums: [0, 1] },
      ),
    );
    const [[loss, aux], [gradLogRatio, gradValues]] = step(tensor(logRatio), tensor(values), { advantages: tensor(advantages), returns: tensor(returns) });
    const normalizedAdvantages = normalizeReference(advantages);
    const expectedLoss = mean(surrogateReference(0.2, 0.2)(logRatio, normalizedAdvantages)) + 0.5 * mean(valueReference()(values, returns, []));
    expect(loss.item()).toBeCloseTo(expectedLoss, 5);
    expect(aux.clipfrac.item()).toBeCloseTo(logRatio.filter((lr) => Math.abs(Math.exp(lr) - 1) > 0.2).length / N, 6);
    expect(aux.approx_kl.item()).toBeCloseTo(mean(logRatio.map((lr) => Math.exp(lr) - 1 - lr)), 6);
    expect(aux.old_approx_kl.item()).toBeCloseTo(mean(logRatio.map((lr) => -lr)), 6);
    // ∂/∂v of 0.5·½·mean((v − R)²) = 0.5·(v − R)/N.
    read(gradValues).forEach((g, i) => expect(g).toBeCloseTo((0.5 * (values[i] - returns[i])) / N, 6));
    gradLogRatio.dispose();
    step.dispose();
  });
});
