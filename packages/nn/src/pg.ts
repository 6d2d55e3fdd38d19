import { numpy as np } from '@jax-js/jax';

/**
 * Policy-gradient losses and diagnostics on engine arrays, one implementation each, shared
 * by PPO, GRPO, RLOO, DAPO and the language-model trainers. Every function consumes its
 * array arguments and is safe inside `jit`. Per-element results leave the aggregation
 * (mean, masked token sums, TRL's loss types) to the caller. The host-side advantage
 * estimators live in `advantages.ts`.
 */

/** Validate a clip range; on failure release the arrays the caller would have consumed, then throw. */
function checkClip(epsLow: number, epsHigh: number, what: string, ...consumed: np.Array[]): void {
  if (!(epsLow >= 0 && epsLow < 1) || !(epsHigh >= 0)) {
    for (const array of consumed) array.dispose();
    throw new RangeError(`${what}: the clip range needs 0 ≤ epsLow < 1 and epsHigh ≥ 0, got epsLow ${epsLow}, epsHigh ${epsHigh}`);
  }
}

/**
 * PPO's clipped surrogate per element (a loss, to minimise):
 * −min(ρ·A, clip(ρ, 1 − εlow, 1 + εhigh)·A) with ρ = exp(logRatio), logRatio = log π − log π_old.
 * εhigh > εlow is DAPO's clip-higher.
 */
export function clippedSurrogate(logRatio: np.Array, advantages: np.Array, epsLow: number, epsHigh = epsLow): np.Array {
  checkClip(epsLow, epsHigh, 'clippedSurrogate', logRatio, advantages);
  const ratio = np.exp(logRatio);
  const clipped = np.clip(ratio.ref, 1 - epsLow, 1 + epsHigh);
  return np.maximum(ratio.mul(advantages.ref).neg(), clipped.mul(advantages).neg());
}

/** Fraction of elements whose ratio lies outside [1 − εlow, 1 + εhigh] (CleanRL's `clipfrac`), a scalar. */
export function clipFraction(logRatio: np.Array, epsLow: number, epsHigh = epsLow): np.Array {
  checkClip(epsLow, epsHigh, 'clipFraction', logRatio);
  const ratio = np.exp(logRatio);
  const outside = np.logicalOr(ratio.ref.less(1 - epsLow), ratio.greater(1 + epsHigh));
  return np.mean(outside.astype(np.float32));
}

export interface ValueLossOptions {
  /** Values predicted when the rollout was collected; required with `clip`. */
  oldValues?: np.Array;
  /** Keep the new value within ±clip of the old one (CleanRL's `clip_vloss`, with clip_coef). */
  clip?: number;
}

/**
 * The value loss per element: ½(v − R)², or with `clip`
 * ½·max((v − R)², (v_old + clip(v − v_old, −c, c) − R)²). For masked token-level losses.
 */
export function valueLossElements(values: np.Array, returns: np.Array, options: ValueLossOptions = {}): np.Array {
  const { oldValues, clip } = options;
  if ((oldValues === undefined) !== (clip === undefined)) {
    values.dispose();
    returns.dispose();
    oldValues?.dispose();
    throw new RangeError('valueLoss: oldValues and clip go together: give both for the clipped loss, or neither');
  }
  if (oldValues === undefined || clip === undefined) return np.square(values.sub(returns)).mul(0.5);
  if (!(clip > 0)) {
    values.dispose();
    returns.dispose();
    oldValues.dispose();
    throw new RangeError(`valueLoss: clip must be > 0, got ${clip}`);
  }
  const unclipped = np.square(values.ref.sub(returns.ref));
  const clippedValues = oldValues.ref.add(np.clip(values.sub(oldValues), -clip, clip));
  return np.maximum(unclipped, np.square(clippedValues.sub(returns))).mul(0.5);
}

/** CleanRL's value loss: the mean of {@link valueLossElements}, a scalar. */
export function valueLoss(values: np.Array, returns: np.Array, options: ValueLossOptions = {}): np.Array {
  return np.mean(valueLossElements(values, returns, options));
}

/**
 * (x − mean)/(std + eps) over all elements with the unbiased std: per-minibatch advantage
 * normalisation inside the compiled step (CleanRL's `norm_adv`). Needs at least two
 * elements: the unbiased std of one is NaN, as in torch.
 */
export function normalizeEngine(x: np.Array, eps = 1e-8): np.Array {
  const mean = np.mean(x.ref);
  const std = np.std(x.ref, undefined, { correction: 1 });
  return x.sub(mean).div(std.add(eps));
}

export type KlEstimator = 'k1' | 'k2' | 'k3';
export const KL_ESTIMATORS: readonly KlEstimator[] = ['k1', 'k2', 'k3'];

/**
 * Per-element estimate of KL(π ‖ π_ref) from samples of π (Schulman, "Approximating KL
 * divergence"): with d = logpRef − logp, k1 = −d, k2 = ½d², k3 = exp(d) − d − 1 (unbiased and
 * never negative; GRPO's choice).
 */
export function klEstimate(logp: np.Array, logpRef: np.Array, estimator: KlEstimator): np.Array {
  if (!KL_ESTIMATORS.includes(estimator)) {
    logp.dispose();
    logpRef.dispose();
    throw new RangeError(`klEstimate: unknown estimator '${String(estimator)}'; allowed: ${KL_ESTIMATORS.join(', ')}`);
  }
  const d = logpRef.sub(logp);
  if (estimator === 'k1') return d.neg();
  if (estimator === 'k2') return np.square(d).mul(0.5);
  return np.exp(d.ref).sub(d).sub(1);
}

/**
 * CleanRL's two KL diagnostics of the update from the log-ratio log π − log π_old:
 * oldApproxKl = mean(−logRatio) and approxKl = mean((ρ − 1) − logRatio), scalars.
 */
export function approxKl(logRatio: np.Array): { oldApproxKl: np.Array; approxKl: np.Array } {
  const oldApproxKl = np.mean(logRatio.ref.neg());
  const approx = np.mean(np.exp(logRatio.ref).sub(1).sub(logRatio));
  return { oldApproxKl, approxKl: approx };
}
