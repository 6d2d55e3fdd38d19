import { RlftError, type RewardFunction } from '@rlft/core';
import { readAction, resolveActionFormat, type ActionFormat, type ActionFormatOptions } from './action-text.js';
import type { CompletionSample } from './sample.js';

/** `format: 'discretised'`: the answer holds bins, decoded with the ranges before the comparison. */
export interface BcRewardOptions extends ActionFormatOptions {
  /** Score of an answer whose action cannot be read. Default −10. */
  malformedPenalty?: number;
}

/**
 * Behaviour-cloning reward: −MSE (mean over dimensions) between the answer's action and the
 * dataset's `referenceAction` for continuous actions; −1 when a discrete answer differs from
 * the reference index, else 0; `malformedPenalty` when the action cannot be read.
 */
export class BcReward implements RewardFunction<CompletionSample> {
  readonly name = 'bc';
  private readonly actionFormat: ActionFormat;
  private readonly malformedPenalty: number;

  constructor(options: BcRewardOptions = {}) {
    this.actionFormat = resolveActionFormat(options, this.name);
    this.malformedPenalty = options.malformedPenalty ?? -10;
  }

  score(batch: readonly CompletionSample[]): number[] {
    return batch.map((sample) => this.scoreOne(sample));
  }

  private scoreOne(sample: CompletionSample): number {
    const reference = sample.referenceAction;
    if (reference === undefined) throw new RlftError('REWARD_INPUT', "reward 'bc' needs each sample's referenceAction (the dataset's action for the prompt)");
    if (typeof reference === 'number') {
      // Discrete actions are written as their integer, never as bins.
      const read = readAction(sample, 1, { format: 'reference' });
      if (!read.ok) return this.malformedPenalty;
      return read.values[0] === reference ? 0 : -1;
    }
    const read = readAction(sample, reference.length, this.actionFormat);
    if (!read.ok) return this.malformedPenalty;
    let sum = 0;
    for (let i = 0; i < reference.length; i++) sum += (read.values[i] - reference[i]) ** 2;
    const mse = sum / reference.length;
    return mse === 0 ? 0 : -mse; // never −0
  }
}
