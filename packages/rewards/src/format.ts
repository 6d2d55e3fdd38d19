import { ACTION_CLOSE } from '@rlft/data';
import type { RewardFunction, Space, SpaceJSON } from '@rlft/core';
import { actionDims, actionValueCount, readAction, resolveActionFormat, type ActionFormat, type ActionFormatOptions } from './action-text.js';
import { answerText, type CompletionSample } from './sample.js';

export interface FormatRewardOptions extends ActionFormatOptions {
  /** Values the action must hold; default: from `actionSpace`, else the ranges, else each sample's reference action. */
  dims?: number;
  /** The env's action space (or its JSON): Discrete actions hold 1 value, a Box its size. */
  actionSpace?: Space | SpaceJSON;
  /** Score of an answer with no readable `<action>…</action>`. Default −10. */
  unreadablePenalty?: number;
  /** Score of an answer with the wrong number of values. Default −10. */
  wrongCountPenalty?: number;
  /** Subtracted per character after `</action>`. Default 0.1. */
  trailingCharacterCost?: number;
  /** Added when the answer ends exactly with `</action>`. Default 1. */
  closingBonus?: number;
}

/**
 * The reference format reward (specs/reference-envs.md): no readable action −10; wrong number
 * of values −10; otherwise −(characters after `</action>`)/10, +1 when the answer ends with
 * `</action>`. The answer is `prefix + completion`, so a prefilled `<action>` is accounted for.
 * An answer cut before `</action>` counts as unreadable (the closing tag is part of the format).
 */
export class FormatReward implements RewardFunction<CompletionSample> {
  readonly name = 'format';
  private readonly actionFormat: ActionFormat;
  private readonly dims: number | undefined;
  private readonly unreadablePenalty: number;
  private readonly wrongCountPenalty: number;
  private readonly trailingCharacterCost: number;
  private readonly closingBonus: number;

  constructor(options: FormatRewardOptions = {}) {
    this.actionFormat = resolveActionFormat(options, this.name);
    this.dims = options.dims ?? (options.actionSpace !== undefined ? actionValueCount(options.actionSpace, this.name) : undefined);
    this.unreadablePenalty = options.unreadablePenalty ?? -10;
    this.wrongCountPenalty = options.wrongCountPenalty ?? -10;
    this.trailingCharacterCost = options.trailingCharacterCost ?? 0.1;
    this.closingBonus = options.closingBonus ?? 1;
  }

  score(batch: readonly CompletionSample[]): number[] {
    return batch.map((sample) => this.scoreOne(sample));
  }

  private scoreOne(sample: CompletionSample): number {
    const dims = actionDims(sample, this.dims, this.actionFormat.ranges, this.name);
    const read = readAction(sample, dims, { ...this.actionFormat, mode: 'lenient', requireClosingTag: true });
    if (!read.ok) return read.problem === 'wrong-count' ? this.wrongCountPenalty : this.unreadablePenalty;
    const bonus = answerText(sample).endsWith(ACTION_CLOSE) ? this.closingBonus : 0;
    return bonus - this.trailingCharacterCost * read.trailing.length;
  }
}
