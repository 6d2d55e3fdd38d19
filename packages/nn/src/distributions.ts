import { nn, numpy as np } from '@jax-js/jax';
import type { Rng } from '@rlft/core';

/**
 * Action distributions of policies, in two forms:
 * - engine functions (np.Array in and out) for losses: they consume their arguments, are safe
 *   inside `jit`, and select actions with one-hot products instead of gathers (whose gradient
 *   fails inside `jit`);
 * - host functions (Float32Array) for acting in environments, where an engine call per step
 *   would cost more than the whole forward pass in plain JS.
 */

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

// ——— Categorical over logits [B, A] ———

/** log π(a|s) for each row: Σ_a logSoftmax(logits)·onehot(a) → [B]. */
export function categoricalLogProb(logits: np.Array, actionsOneHot: np.Array): np.Array {
  return np.sum(nn.logSoftmax(logits, -1).mul(actionsOneHot), -1);
}

/** Entropy −Σ_a p·log p of each row → [B]. */
export function categoricalEntropy(logits: np.Array): np.Array {
  const logProbs = nn.logSoftmax(logits, -1);
  return np.sum(np.exp(logProbs.ref).mul(logProbs), -1).neg();
}

/**
 * One-hot rows for discrete actions: `actions[i] − start` is the index set in row i of an
 * [actions.length, n] row-major matrix (`start` is the Discrete space's start).
 */
export function oneHot(actions: ArrayLike<number>, n: number, start = 0, out?: Float32Array): Float32Array {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`oneHot: the number of actions must be an integer ≥ 1, got ${n}`);
  const size = actions.length * n;
  if (out && out.length !== size) throw new RangeError(`oneHot: out has length ${out.length}, expected ${actions.length}·${n} = ${size}`);
  const rows = out ? out.fill(0) : new Float32Array(size);
  for (let i = 0; i < actions.length; i++) {
    const index = actions[i] - start;
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new RangeError(`oneHot: action ${actions[i]} at position ${i} is not an integer in [${start}, ${start + n - 1}]`);
    }
    rows[i * n + index] = 1;
  }
  return rows;
}

function checkRow(logits: ArrayLike<number>, offset: number, n: number, what: string): void {
  if (!Number.isInteger(offset) || !Number.isInteger(n) || offset < 0 || n < 1 || offset + n > logits.length) {
    throw new RangeError(`${what}: the row [${offset}, ${offset + n}) does not fit in ${logits.length} logits`);
  }
}

/** log Σ exp(values[offset … offset+n)), shifted by the maximum so that it never overflows. */
export function logSumExp(values: ArrayLike<number>, offset = 0, n = values.length - offset): number {
  checkRow(values, offset, n, 'logSumExp');
  let max = -Infinity;
  for (let i = offset; i < offset + n; i++) if (values[i] > max) max = values[i];
  if (max === -Infinity) return -Infinity;
  let total = 0;
  for (let i = offset; i < offset + n; i++) total += Math.exp(values[i] - max);
  return max + Math.log(total);
}

/**
 * Draw an index in [0, n) from softmax(logits[offset … offset+n)) by inverting the cumulative
 * sum of exp(logit − max) (no normalisation pass, no allocation).
 */
export function sampleCategorical(rng: Rng, logits: ArrayLike<number>, offset = 0, n = logits.length - offset): number {
  checkRow(logits, offset, n, 'sampleCategorical');
  let max = -Infinity;
  for (let i = offset; i < offset + n; i++) {
    if (Number.isNaN(logits[i])) throw new RangeError(`sampleCategorical: logit ${i - offset} of the row is NaN`);
    if (logits[i] > max) max = logits[i];
  }
  if (!Number.isFinite(max)) throw new RangeError(`sampleCategorical: the logits must be below +∞ with at least one above −∞, the largest is ${max}`);
  let total = 0;
  for (let i = offset; i < offset + n; i++) total += Math.exp(logits[i] - max);
  const target = rng.random() * total;
  let cumulative = 0;
  for (let i = 0; i < n; i++) {
    cumulative += Math.exp(logits[offset + i] - max);
    if (target < cumulative) return i;
  }
  // Rounding can leave the target a hair above the last cumulative sum: the last index with mass.
  for (let i = n - 1; i >= 0; i--) if (logits[offset + i] > -Infinity) return i;
  return n - 1;
}

/** Index of the largest of values[offset … offset+n) (the first on ties): the greedy action. */
export function argmax(values: ArrayLike<number>, offset = 0, n = values.length - offset): number {
  checkRow(values, offset, n, 'argmax');
  let best = 0;
  for (let i = 1; i < n; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}

/** log softmax(logits[offset … offset+n))[action] on the host. */
export function categoricalLogProbHost(logits: ArrayLike<number>, offset: number, n: number, action: number): number {
  checkRow(logits, offset, n, 'categoricalLogProbHost');
  if (!Number.isInteger(action) || action < 0 || action >= n) throw new RangeError(`categoricalLogProbHost: action ${action} is not an integer in [0, ${n - 1}]`);
  return logits[offset + action] - logSumExp(logits, offset, n);
}

// ——— Diagonal Gaussian: mean [B, D], state-independent logStd [D] (CleanRL's continuous PPO) ———

/**
 * log N(actions; mean, exp(logStd)²) summed over the D action dimensions → [B]:
 * Σ_d −½((a − μ)/σ)² − log σ − ½ log 2π. `logStd` is [D] (broadcast over the batch) or [B, D].
 */
export function gaussianLogProb(mean: np.Array, logStd: np.Array, actions: np.Array): np.Array {
  const z = actions.sub(mean).mul(np.exp(logStd.ref.neg()));
  const perDimension = np.square(z).mul(-0.5).sub(logStd).sub(HALF_LOG_TWO_PI);
  return np.sum(perDimension, -1);
}

/**
 * Entropy Σ_d (½ + ½ log 2π + log σ_d). With `logStd` [D] the entropy is the same for every
 * state: give `batch` to get it repeated as [batch] (to aggregate like a per-sample term),
 * or leave it out for a scalar. With `logStd` [B, D] the result is [B].
 */
export function gaussianEntropy(logStd: np.Array, batch?: number): np.Array {
  const entropy = np.sum(logStd.add(0.5 + HALF_LOG_TWO_PI), -1);
  if (batch === undefined || entropy.ndim > 0) return entropy;
  return np.broadcastTo(entropy, [batch]);
}

/**
 * Sample actions a = μ + σ·ε into `out` (length B·D, row-major like `mean`), σ = exp(logStd)
 * with logStd of length D. Returns `out`.
 */
export function sampleGaussian(rng: Rng, mean: ArrayLike<number>, logStd: ArrayLike<number>, out: Float32Array): Float32Array {
  const dims = checkGaussian(mean, logStd, out.length, 'sampleGaussian', 'out');
  for (let i = 0; i < mean.length; i++) out[i] = mean[i] + Math.exp(logStd[i % dims]) * rng.normal();
  return out;
}

/** log-probabilities of `actions` (B·D) under N(mean, exp(logStd)²), one per row, into `out` (length B). */
export function gaussianLogProbHost(
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  actions: ArrayLike<number>,
  out?: Float32Array,
): Float32Array {
  const dims = checkGaussian(mean, logStd, actions.length, 'gaussianLogProbHost', 'actions');
  const batch = mean.length / dims;
  out ??= new Float32Array(batch);
  if (out.length !== batch) throw new RangeError(`gaussianLogProbHost: out has length ${out.length}, expected the batch size ${batch}`);
  let normaliser = 0;
  for (let d = 0; d < dims; d++) normaliser += logStd[d] + HALF_LOG_TWO_PI;
  for (let b = 0; b < batch; b++) {
    let total = 0;
    for (let d = 0; d < dims; d++) {
      const z = (actions[b * dims + d] - mean[b * dims + d]) * Math.exp(-logStd[d]);
      total += z * z;
    }
    out[b] = -0.5 * total - normaliser;
  }
  return out;
}

/** Entropy of the diagonal Gaussian with these log standard deviations (the same for every state). */
export function gaussianEntropyHost(logStd: ArrayLike<number>): number {
  let total = 0;
  for (let d = 0; d < logStd.length; d++) total += logStd[d] + 0.5 + HALF_LOG_TWO_PI;
  return total;
}

function checkGaussian(mean: ArrayLike<number>, logStd: ArrayLike<number>, otherLength: number, what: string, other: string): number {
  const dims = logStd.length;
  if (dims < 1 || mean.length % dims !== 0) throw new RangeError(`${what}: mean has length ${mean.length}, not a multiple of the ${dims} action dimensions of logStd`);
  if (otherLength !== mean.length) throw new RangeError(`${what}: ${other} has length ${otherLength}, expected the length of mean (${mean.length})`);
  return dims;
}
