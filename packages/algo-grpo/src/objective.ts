import { lax } from '@jax-js/jax';
import { clippedSurrogate, klEstimate, np, type KlEstimator, type LossAux } from '@rlft/nn';

/**
 * The clipped policy objective of the group-based algorithms (GRPO, and by configuration RLOO
 * and DAPO), written once for language models (tokens) and MLP policies (steps in place of
 * tokens). The host turns the loss aggregation into one weight per sequence
 * ({@link aggregationWeights}); the compiled step then only sums w·L over the tokens, so every
 * aggregation shares one compiled function.
 */

/** How per-token losses become the batch loss (TRL's `loss_type`). */
export type LossAggregation = 'grpo' | 'bnpo' | 'dr_grpo' | 'dapo';
export const LOSS_AGGREGATIONS: readonly LossAggregation[] = ['grpo', 'bnpo', 'dr_grpo', 'dapo'];

/**
 * The weight of each counted token of sequence i, so that Σ_i Σ_t w_i·L_it·m_it is the
 * aggregation (specs/algorithms.md):
 * - grpo: mean over sequences of each sequence's token mean → 1/(B·|y_i|);
 * - bnpo: the mean over the batch's tokens → 1/Σ|y|;
 * - dr_grpo: Σ L·m / (B · max_completion_length) → 1/(B·maxLength);
 * - dapo: the mean over the active tokens of the global batch → 1/Σ|y| (one process: the
 *   global batch is this batch, so it equals bnpo; they differ only across data-parallel ranks).
 * A sequence without tokens weighs 0.
 */
export function aggregationWeights(lengths: readonly number[], aggregation: LossAggregation, maxLength?: number): number[] {
  const count = lengths.length;
  if (count === 0) throw new RangeError('aggregationWeights: an empty batch');
  for (const length of lengths) {
    if (!(Number.isInteger(length) && length >= 0)) throw new RangeError(`aggregationWeights: lengths must be integers ≥ 0, got ${length}`);
  }
  const tokens = lengths.reduce((sum, length) => sum + length, 0);
  switch (aggregation) {
    case 'grpo':
      return lengths.map((length) => (length > 0 ? 1 / (count * length) : 0));
    case 'bnpo':
    case 'dapo':
      return lengths.map(() => 1 / Math.max(tokens, 1));
    case 'dr_grpo': {
      if (maxLength === undefined || !(maxLength >= Math.max(...lengths) && maxLength > 0)) {
        throw new RangeError(`aggregationWeights: dr_grpo needs maxLength ≥ the longest sequence (${Math.max(...lengths)}), got ${maxLength}`);
      }
      return lengths.map(() => 1 / (count * maxLength));
    }
    default:
      throw new RangeError(`aggregationWeights: unknown aggregation '${String(aggregation)}'; allowed: ${LOSS_AGGREGATIONS.join(', ')}`);
  }
}

export interface PolicyObjectiveSettings {
  /** Lower clip ε: the ratio is kept ≥ 1 − ε for negative advantages. */
  epsilonLow: number;
  /** Upper clip ε_high (DAPO's clip-higher when larger than epsilonLow). */
  epsilonHigh: number;
  /** β of the KL penalty to the reference (0: none; then no reference log-probs are needed). */
  beta: number;
  /** KL estimator of the penalty (GRPO: k3). */
  klEstimator: KlEstimator;
}

/**
 * What the objective needs besides the current log-probs, each laid out like them ([B, T] for
 * tokens, [N] for steps). Weights are 0 wherever nothing counts (padding, prompt tokens).
 */
export type PolicyObjectiveData = {
  /** Per-token advantage (a sequence's advantage repeated over its tokens for GRPO/RLOO). */
  advantages: np.Array;
  /** Aggregation weight of each counted element (mask × {@link aggregationWeights}). */
  weights: np.Array;
  /** log π_old of the sampling policy; omitted with one optimisation pass: log π detached (ratio 1, the gradient still flows). */
  oldLogProbs?: np.Array;
  /** log π_ref of the frozen reference; needed when beta > 0. */
  refLogProbs?: np.Array;
};

/**
 * Σ w·(−min(ρA, clip(ρ, 1 − ε, 1 + ε_high)·A) + β·KL(π‖π_ref)) with ρ = exp(log π − log π_old).
 * Consumes every array. Diagnostics are weight-averaged the same way as the loss:
 * `clip_fraction` (ratios outside the clip range), `approx_kl` (of the update, (ρ − 1) − log ρ)
 * and, with a reference, `kl` (the penalty's estimate).
 */
export function policyObjective(logProbs: np.Array, data: PolicyObjectiveData, settings: PolicyObjectiveSettings): [np.Array, LossAux] {
  const { advantages, weights, oldLogProbs, refLogProbs } = data;
  if (settings.beta > 0 && !refLogProbs) {
    for (const array of [logProbs, advantages, weights, oldLogProbs]) array?.dispose();
    throw new RangeError('policyObjective: beta > 0 needs the reference log-probs (refLogProbs)');
  }
  const old = oldLogProbs ?? lax.stopGradient(logProbs.ref);
  const logRatio = logProbs.ref.sub(old);
  const totalWeight = np.maximum(np.sum(weights.ref), 1e-12);
  const weighted = (x: np.Array) => np.sum(x.mul(weights.ref)).div(totalWeight.ref);

  const ratio = np.exp(lax.stopGradient(logRatio.ref));
  const outside = np.logicalOr(ratio.ref.less(1 - settings.epsilonLow), ratio.ref.greater(1 + settings.epsilonHigh)).astype(np.float32);
  const aux: LossAux = {
    clip_fraction: weighted(outside),
    approx_kl: weighted(ratio.sub(1).sub(lax.stopGradient(logRatio.ref))),
  };
  let perToken = clippedSurrogate(logRatio, advantages, settings.epsilonLow, settings.epsilonHigh);
  if (refLogProbs) {
    const kl = klEstimate(logProbs, refLogProbs, settings.klEstimator);
    aux.kl = weighted(lax.stopGradient(kl.ref));
    perToken = settings.beta > 0 ? perToken.add(kl.mul(settings.beta)) : (kl.dispose(), perToken);
  } else {
    logProbs.dispose();
  }
  totalWeight.dispose();
  return [np.sum(perToken.mul(weights)), aux];
}
