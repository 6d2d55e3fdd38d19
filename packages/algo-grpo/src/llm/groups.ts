import { groupRelativeAdvantages, type AdvantageScale } from '@rlft/nn';
import { packSequences, perTokenArray, type SequenceBatch } from '@rlft/policy-llm';
import { aggregationWeights, type LossAggregation } from '../objective.js';

/**
 * One step's completions, G per prompt and contiguous per prompt, with their rewards, laid out
 * for training: what GRPO (and RLOO/DAPO with another advantage estimator) optimise.
 */
export interface GroupBatch {
  groupSize: number;
  /** Total reward per completion (the training signal). */
  rewards: Float32Array;
  /** The advantage of each completion. */
  advantages: Float32Array;
  /** Packed prompt + completion tokens; the mask covers completion tokens. */
  sequences: SequenceBatch;
  /** [B, T] each completion's advantage on its tokens. */
  tokenAdvantages: Float32Array<ArrayBuffer>;
  /** [B, T] aggregation weight × mask. */
  tokenWeights: Float32Array<ArrayBuffer>;
}

export interface GroupBatchOptions {
  groupSize: number;
  /** Advantages from the rewards (default: GRPO's group-relative ones with `scale`). */
  advantages?: (rewards: Float32Array, groupSize: number) => Float32Array;
  scale?: AdvantageScale;
  aggregation: LossAggregation;
  /** The completion length cap (dr_grpo's divisor). */
  maxCompletionLength: number;
}

export function buildGroupBatch(promptIds: readonly (readonly number[])[], completionIds: readonly (readonly number[])[], rewards: ArrayLike<number>, options: GroupBatchOptions): GroupBatch {
  const total = Float32Array.from(rewards);
  const advantages = options.advantages ? options.advantages(total, options.groupSize) : groupRelativeAdvantages(total, options.groupSize, options.scale ?? 'group');
  const sequences = packSequences(promptIds, completionIds);
  const lengths = completionIds.map((c) => c.length);
  const weights = aggregationWeights(lengths, options.aggregation, Math.max(options.maxCompletionLength, ...lengths));
  return {
    groupSize: options.groupSize,
    rewards: total,
    advantages,
    sequences,
    tokenAdvantages: perTokenArray(sequences, lengths.map((n, i) => new Float32Array(n).fill(advantages[i]!))),
    tokenWeights: perTokenArray(sequences, lengths.map((n, i) => new Float32Array(n).fill(weights[i]!))),
  };
}

/** Mean and population std of the rewards, and the fraction of groups whose rewards are all equal (no signal). */
export function rewardStatistics(rewards: ArrayLike<number>, groupSize: number): { mean: number; std: number; fracZeroStd: number } {
  const n = rewards.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += rewards[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (rewards[i]! - mean) ** 2;
  let flat = 0;
  for (let start = 0; start < n; start += groupSize) {
    let same = true;
    for (let i = start + 1; i < start + groupSize; i++) same &&= rewards[i] === rewards[start];
    if (same) flat++;
  }
  return { mean, std: Math.sqrt(squares / n), fracZeroStd: flat / (n / groupSize) };
}
