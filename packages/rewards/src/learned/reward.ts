import { Discrete, RlftError, type Box, type RewardFunction } from '@rlft/core';
import { readAction, resolveActionFormat, type ActionFormat, type ActionFormatOptions } from '../action-text.js';
import type { CompletionSample } from '../sample.js';
import { loadRewardModel, type HostRewardModel } from './model.js';

export interface LearnedRewardOptions extends ActionFormatOptions {
  /** A directory written by `trainRewardModel`. */
  modelPath: string;
  /** Score of an answer whose action cannot be read or is outside the model's action space. Default −10. */
  malformedPenalty?: number;
}

/**
 * A learned estimate of the one-step env reward: the answer's action and the sample's
 * `observation` go through a reward model trained with `trainRewardModel`. Continuous actions
 * are clipped into the model's action space (what the env would do with them).
 */
export class LearnedReward implements RewardFunction<CompletionSample> {
  readonly name = 'learned';
  readonly model: HostRewardModel;
  private readonly malformedPenalty: number;
  private readonly actionFormat: ActionFormat;

  constructor(options: LearnedRewardOptions) {
    this.actionFormat = resolveActionFormat(options, this.name);
    this.model = loadRewardModel(options.modelPath);
    this.malformedPenalty = options.malformedPenalty ?? -10;
  }

  score(batch: readonly CompletionSample[]): number[] {
    const { encoder } = this.model;
    const features = new Float64Array(batch.length * encoder.dim);
    const valid: number[] = [];
    batch.forEach((sample, i) => {
      if (!sample.observation) throw new RlftError('REWARD_INPUT', "reward 'learned' needs each sample's observation (the flat observation the prompt was written from)");
      const action = this.actionOf(sample);
      if (action === undefined) return;
      encoder.encode(sample.observation, action, features, valid.length);
      valid.push(i);
    });
    const predicted = this.model.predict(features, valid.length);
    const scores = new Array<number>(batch.length).fill(this.malformedPenalty);
    valid.forEach((index, row) => (scores[index] = predicted[row]));
    return scores;
  }

  private actionOf(sample: CompletionSample): unknown {
    const space = this.model.encoder.actionSpace;
    if (space instanceof Discrete) {
      const read = readAction(sample, 1, { format: 'reference' });
      return read.ok && space.contains(read.values[0]) ? read.values[0] : undefined;
    }
    const box = space as Box;
    const read = readAction(sample, box.size, this.actionFormat);
    return read.ok ? box.clip(read.values) : undefined;
  }
}
