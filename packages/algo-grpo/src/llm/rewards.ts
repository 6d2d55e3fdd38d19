import { RlftError, type ComposedReward, type EnvRegistry, type Space } from '@rlft/core';
import type { Prompting } from '@rlft/policy-llm';
import { composeRewards, rewardContributions, type CompletionSample, type RewardPart } from '@rlft/rewards';

export interface RewardSetup {
  /** Weight per reward id (config `rewards`). */
  weights: Record<string, number>;
  /** Options per reward id (config `reward_options`); what the run knows is filled in where the reward takes it. */
  options: Record<string, Record<string, unknown>>;
  prompting: Prompting;
  actionSpace: Space;
  registry: EnvRegistry;
  envId: string;
  envKwargs: Record<string, unknown>;
}

/**
 * The weighted sum of @rlft/rewards' rewards that GRPO trains on. Each reward gets what it can
 * use of the run: the action space, the answer format and ranges of the prompting, the env
 * registry and id; options given in the config win.
 */
export function buildRewards(setup: RewardSetup): { reward: ComposedReward<CompletionSample>; parts: RewardPart[] } {
  const ids = Object.keys(setup.weights);
  if (ids.length === 0) throw new RlftError('BAD_CONFIG', `grpo: rewards is empty; give at least one weight, e.g. { format: 1, bc: 1 } (rewards: ${rewardContributions.map((c) => c.id).join(', ')})`);
  for (const id of Object.keys(setup.options)) {
    if (!(id in setup.weights)) throw new RlftError('BAD_CONFIG', `grpo: reward_options names '${id}', which is not in rewards (${ids.join(', ')})`);
  }
  const answerFormat = setup.prompting.action.format === 'discretised' ? 'discretised' : 'reference';
  const ranges = setup.prompting.action.ranges;
  const known: Record<string, unknown> = {
    actionSpace: setup.actionSpace,
    format: answerFormat,
    ...(ranges ? { ranges: { min: Array.from(ranges.min), max: Array.from(ranges.max) } } : {}),
    registry: setup.registry,
    envId: setup.envId,
    ...(Object.keys(setup.envKwargs).length ? { envKwargs: setup.envKwargs } : {}),
  };
  const parts = ids.map((id): RewardPart => {
    const contribution = rewardContributions.find((c) => c.id === id);
    if (!contribution) throw new RlftError('BAD_CONFIG', `grpo: unknown reward '${id}'; allowed: ${rewardContributions.map((c) => c.id).join(', ')}`);
    const accepted = new Set(Object.keys((contribution.optionsSchema as unknown as { shape?: Record<string, unknown> }).shape ?? {}));
    const filled = Object.fromEntries(Object.entries(known).filter(([key]) => accepted.has(key)));
    // The task reward plays card games, not the training env, unless told otherwise.
    if (id === 'task') delete filled.envId;
    return { reward: contribution.create({ ...filled, ...setup.options[id] }) as RewardPart['reward'], weight: setup.weights[id]! };
  });
  return { reward: composeRewards(parts), parts };
}

/**
 * Scores a batch: each component floored at `floor` (a sampled answer such as 1e12 would
 * otherwise give a −MSE of 1e24 and swamp its group), then weighted and summed. The components
 * returned are the floored ones, so the logged total is the training signal.
 */
export async function scoreFloored(reward: ComposedReward<CompletionSample>, samples: readonly CompletionSample[], floor: number | null): Promise<{ total: number[]; components: Record<string, number[]> }> {
  const scored = await reward.scoreWithComponents(samples);
  if (floor === null) return { total: scored.total, components: scored.components };
  const components = Object.fromEntries(Object.entries(scored.components).map(([name, values]) => [name, values.map((v) => Math.max(v, floor))]));
  const total = samples.map((_, i) => reward.parts.reduce((sum, part) => sum + part.weight * components[part.reward.name]![i]!, 0));
  return { total, components };
}
