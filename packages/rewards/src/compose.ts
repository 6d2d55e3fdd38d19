import { ComposedReward, type RewardFunction } from '@rlft/core';
import type { CompletionSample } from './sample.js';

export interface RewardPart {
  reward: RewardFunction<CompletionSample>;
  weight: number;
}

/**
 * The weighted sum of rewards (core's ComposedReward): `scoreWithComponents` gives the total
 * (the training signal) and each component unweighted under its reward's name (`format`, `bc`,
 * …); names must be unique, so use a reward once or give copies distinct names.
 */
export function composeRewards(parts: readonly RewardPart[], name = 'total'): ComposedReward<CompletionSample> {
  return new ComposedReward<CompletionSample>(parts, name);
}

/** Closes every part that holds resources (the env and task rewards keep envs open). */
export async function closeRewards(parts: readonly RewardPart[]): Promise<void> {
  for (const { reward } of parts) await (reward as { close?: () => unknown }).close?.();
}
