import { InvalidKwargsError, type Rng } from '@rlft/core';

/** How the next token is chosen from a row of logits (the numeric part of {@link SamplingOptions}). */
export interface TokenSampling {
  /** 0 = greedy (argmax). */
  temperature: number;
  /** Keep the k most likely tokens (exactly k, ties to the lower id); 0 = off. */
  topK: number;
  /** Nucleus: keep the smallest set of most likely tokens whose mass is ≥ topP (at least one); 1 = off. */
  topP: number;
}

export interface SampledToken {
  token: number;
  /**
   * log p(token) under the model's own, unscaled distribution: the log-softmax of the raw
   * logits, before temperature, top-k and top-p. This is the quantity RL needs (it equals what
   * `completionLogProbs` recomputes), not the probability of the draw under the warped distribution.
   */
  logProb: number;
}

/** Throws when the numeric sampling options are out of range; names the allowed values. */
export function checkTokenSampling(sampling: TokenSampling): void {
  const problems: string[] = [];
  if (!(Number.isFinite(sampling.temperature) && sampling.temperature >= 0)) problems.push(`temperature must be ≥ 0, got ${sampling.temperature}`);
  if (!(Number.isInteger(sampling.topK) && sampling.topK >= 0)) problems.push(`topK must be an integer ≥ 0 (0 = off), got ${sampling.topK}`);
  if (!(sampling.topP > 0 && sampling.topP <= 1)) problems.push(`topP must be in (0, 1] (1 = off), got ${sampling.topP}`);
  if (problems.length) throw new InvalidKwargsError('sampling', problems, ['temperature ≥ 0', 'topK integer ≥ 0', 'topP in (0, 1]']);
}

/** Index of the largest value; the lowest index among equal maxima. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** log Σ exp(values), stable. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  if (max === -Infinity) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}

/**
 * Draws next tokens from rows of raw logits (temperature, then top-k, then top-p, as Hugging
 * Face's warpers apply them). Temperature 0 or topK 1 is greedy and draws nothing from the rng.
 * Linear in the vocabulary: top-k and top-p use partial selection, never a full sort, and the
 * scratch buffers are kept between calls (one sampler serves every row and step of a batch).
 */
export class TokenSampler {
  private ids = new Int32Array(0);
  private weights = new Float64Array(0);
  private order = new Int32Array(0);

  constructor(readonly sampling: TokenSampling) {
    checkTokenSampling(sampling);
  }

  get greedy(): boolean {
    return this.sampling.temperature === 0 || this.sampling.topK === 1;
  }

  /** `logNormaliser` (log Σ exp logits) saves a pass over the vocabulary where the caller has it. */
  sample(logits: ArrayLike<number>, rng: Rng, logNormaliser = logSumExp(logits)): SampledToken {
    const best = argmax(logits);
    const token = this.greedy ? best : this.draw(logits, logits[best], rng);
    return { token, logProb: logits[token] - logNormaliser };
  }

  private draw(logits: ArrayLike<number>, max: number, rng: Rng): number {
    const { temperature, topK, topP } = this.sampling;
    const vocab = logits.length;
    if (this.ids.length < vocab) {
      this.ids = new Int32Array(vocab);
      this.weights = new Float64Array(vocab);
      this.order = new Int32Array(vocab);
    }
    const { ids, weights, order } = this;
    for (let i = 0; i < vocab; i++) ids[i] = i;
    const count = topK > 0 && topK < vocab ? selectLargest(ids, vocab, logits, topK) : vocab;
    // Tempered weights of the candidates ids[0, count), relative to the overall maximum (always a candidate).
    let total = 0;
    for (let j = 0; j < count; j++) {
      weights[j] = Math.exp((logits[ids[j]] - max) / temperature);
      total += weights[j];
    }
    if (topP >= 1) return ids[drawIndex(count, (j) => weights[j], total, rng)];
    // Candidates no heavier than (1 − topP)·mean weigh at most 1 − topP together: never in the
    // nucleus, so they are dropped before the selection (most of a peaked 150k vocabulary).
    const floor = ((1 - topP) * total) / count;
    let heavy = 0;
    for (let j = 0; j < count; j++) if (weights[j] > floor) order[heavy++] = j;
    const kept = selectNucleus(order.subarray(0, heavy), weights, topP * total);
    let keptTotal = 0;
    for (let j = 0; j < kept; j++) keptTotal += weights[order[j]];
    return ids[order[drawIndex(kept, (j) => weights[order[j]], keptTotal, rng)]];
  }
}

/** One draw with a fresh {@link TokenSampler} (which is what to keep when sampling many rows). */
export function sampleToken(logits: ArrayLike<number>, sampling: TokenSampling, rng: Rng): SampledToken {
  return new TokenSampler(sampling).sample(logits, rng);
}

/** Inverse-CDF draw of an index in [0, count) with the given unnormalised weights. */
function drawIndex(count: number, weight: (j: number) => number, total: number, rng: Rng): number {
  let target = rng.random() * total;
  for (let j = 0; j < count; j++) {
    target -= weight(j);
    if (target < 0) return j;
  }
  // Rounding left a sliver of mass at the end: the last positive-weight entry takes it.
  for (let j = count - 1; j > 0; j--) if (weight(j) > 0) return j;
  return 0;
}

/**
 * Moves the `k` entries of `ids[0, n)` with the largest `scores[id]` to the front (in no
 * particular order; among equal scores the lower id wins) and returns k. Quickselect: expected O(n).
 */
export function selectLargest(ids: Int32Array, n: number, scores: ArrayLike<number>, k: number): number {
  const before = (a: number, b: number) => scores[a] > scores[b] || (scores[a] === scores[b] && a < b);
  let lo = 0;
  let hi = n; // the boundary k lies in [lo, hi)
  while (hi - lo > 1) {
    const pivot = medianOfThree(ids[lo], ids[(lo + hi) >> 1], ids[hi - 1], before);
    // Partition [lo, hi) into entries ranked before the pivot, the pivot itself, and after it.
    let store = lo;
    for (let j = lo; j < hi; j++) {
      if (before(ids[j], pivot)) swap(ids, j, store++);
    }
    if (store === k) return k;
    if (store > k) {
      hi = store;
      continue;
    }
    // Put the pivot right after the entries ranked before it.
    const at = ids.indexOf(pivot, store);
    swap(ids, at, store);
    if (store + 1 === k) return k;
    lo = store + 1;
  }
  return k;
}

/**
 * Nucleus selection: reorders `order` (indices into `weights`) so that its first m entries are
 * the m heaviest with m the smallest count whose weight reaches `mass`, and returns m (≥ 1).
 * Three-way quickselect on weights, expected O(n); the kept set is exactly the sorted prefix
 * Hugging Face's top-p keeps, without sorting.
 */
export function selectNucleus(order: Int32Array, weights: Float64Array, mass: number): number {
  if (order.length === 0) throw new RangeError('selectNucleus: no candidates');
  let lo = 0;
  let hi = order.length;
  let needed = mass;
  while (lo < hi) {
    const pivotWeight = medianWeight(weights[order[lo]], weights[order[(lo + hi) >> 1]], weights[order[hi - 1]]);
    // Three-way partition of [lo, hi): heavier | equal | lighter.
    let heavierEnd = lo;
    let lighterStart = hi;
    let j = lo;
    let heavierMass = 0;
    while (j < lighterStart) {
      const w = weights[order[j]];
      if (w > pivotWeight) {
        heavierMass += w;
        swap(order, j++, heavierEnd++);
      } else if (w < pivotWeight) {
        swap(order, j, --lighterStart);
      } else {
        j++;
      }
    }
    if (heavierMass >= needed && heavierEnd > lo) {
      hi = heavierEnd;
      continue;
    }
    needed -= heavierMass;
    // Entries of equal weight are interchangeable: take as many as the remaining mass needs.
    for (let e = heavierEnd; e < lighterStart; e++) {
      needed -= pivotWeight;
      if (needed <= 0) return e + 1;
    }
    lo = lighterStart;
  }
  // Rounding kept the total just below the requested mass: everything with weight is kept.
  return Math.max(1, lo);
}

function medianOfThree(a: number, b: number, c: number, before: (x: number, y: number) => boolean): number {
  if (before(a, b)) {
    if (before(b, c)) return b;
    return before(a, c) ? c : a;
  }
  if (before(a, c)) return a;
  return before(b, c) ? c : b;
}

function medianWeight(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

function swap(values: Int32Array, i: number, j: number): void {
  const t = values[i];
  values[i] = values[j];
  values[j] = t;
}
