import { RlftError, type RewardFunction } from '@rlft/core';
import type { CompletionSample } from './sample.js';

export interface LengthRewardOptions {
  /** Penalty per unit over the target. Default 0.01. */
  coef?: number;
  /** Free length, in the unit counted. Default 0. */
  target?: number;
  /**
   * Counts the length of a completion. Default: characters of the completion (the prefilled
   * prefix and the prompt do not count). Pass e.g. `(text) => tokenizer.encode(text).length` to
   * count tokens.
   */
  countLength?: (completion: string) => number;
}

/** −coef·max(0, length − target) over the completion: discourages rambling past the action. */
export class LengthReward implements RewardFunction<CompletionSample> {
  readonly name = 'length';
  private readonly coef: number;
  private readonly target: number;
  private readonly countLength: (completion: string) => number;

  constructor(options: LengthRewardOptions = {}) {
    this.coef = options.coef ?? 0.01;
    this.target = options.target ?? 0;
    this.countLength = options.countLength ?? ((completion) => [...completion].length);
    if (!(this.coef >= 0) || !(this.target >= 0)) {
      throw new RlftError('REWARD_OPTIONS', `reward 'length' needs coef ≥ 0 and target ≥ 0, got coef ${this.coef}, target ${this.target}`);
    }
  }

  score(batch: readonly CompletionSample[]): number[] {
    return batch.map((sample) => {
      const over = Math.max(0, this.countLength(sample.completion) - this.target);
      return over === 0 ? 0 : -this.coef * over; // never −0
    });
  }
}
