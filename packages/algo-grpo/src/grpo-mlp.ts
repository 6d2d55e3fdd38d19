import { z, type Algorithm, type TrainContext, type TrainResult } from '@rlft/core';
import { groupRelativeAdvantages, np, type LossAux } from '@rlft/nn';
import type { MlpParams, MlpPolicySpec } from '@rlft/policy-mlp';
import { aggregationWeights, LOSS_AGGREGATIONS, policyObjective, type LossAggregation } from './objective.js';
import { actorLogProbs, episodicConfigShape, trainEpisodic, type EngineStepBatch, type EpisodicConfig, type RoundPlan } from '@rlft/training';

export const GRPO_MLP_ID = 'grpo-mlp';

export const grpoMlpConfigSchema = z
  .object({
    ...episodicConfigShape,
    // Defaults tuned on CartPole-v1 (solved in ~26k steps); TRL's language-model defaults (G 8,
    // lr 1e-6) suit fine-tuning a pretrained model, not training a small MLP from scratch.
    learning_rate: z.number().positive().default(5e-3).describe('Adam learning rate'),
    num_groups: z.number().int().positive().default(2).describe('start states per update (each a distinct seed)'),
    group_size: z.number().int().min(2).default(4).describe('G: episodes per start state'),
    epsilon: z.number().positive().default(0.2).describe('lower clip ε of the ratio'),
    epsilon_high: z.number().positive().nullable().default(null).describe('upper clip ε (null: equal to epsilon)'),
    num_iterations: z.number().int().positive().default(2).describe('μ: optimisation steps per batch (with stored old log-probs)'),
    scale_rewards: z.enum(['group', 'batch', 'none']).default('group').describe('divide advantages by the std of the group, of the batch, or not at all'),
    loss_type: z.enum(LOSS_AGGREGATIONS as [LossAggregation, ...LossAggregation[]]).default('grpo').describe('aggregation of per-step losses (TRL loss_type, steps in place of tokens; dapo equals bnpo in one process)'),
  })
  .strict();

export type GrpoMlpConfig = z.output<typeof grpoMlpConfigSchema> & EpisodicConfig;

/**
 * GRPO for MLP policies: each update draws `num_groups` seeds and runs G episodes from each
 * (same start state, different sampled actions); an episode's advantage is its return relative
 * to its group, (R − mean)/(std + 1e-4), shared by all its steps; the clipped objective with
 * ε/ε_high, no critic and no KL term (TRL's default β = 0; the language-model GRPO has a frozen
 * reference model).
 */
export class GrpoMlp implements Algorithm<GrpoMlpConfig> {
  readonly id = GRPO_MLP_ID;
  readonly config: GrpoMlpConfig;

  constructor(config: GrpoMlpConfig) {
    this.config = config;
  }

  train(context: TrainContext): Promise<TrainResult> {
    const config = this.config;
    const numEnvs = config.num_groups * config.group_size;
    return trainEpisodic(
      {
        id: GRPO_MLP_ID,
        config,
        numEnvs,
        withCritic: false,
        iterations: config.num_iterations,
        seedsForRound: (rng) => {
          const seeds: number[] = [];
          for (let g = 0; g < config.num_groups; g++) {
            const seed = rng.nextSeed();
            for (let k = 0; k < config.group_size; k++) seeds.push(seed);
          }
          return seeds;
        },
        plan: (episodes, _network, { maxEpisodeSteps }): RoundPlan => {
          const returns = Float32Array.from(episodes, (e) => e.return);
          const advantages = groupRelativeAdvantages(returns, config.group_size, config.scale_rewards);
          const longest = maxEpisodeSteps ?? Math.max(...episodes.map((e) => e.length));
          const weights = aggregationWeights(
            episodes.map((e) => e.length),
            config.loss_type,
            Math.max(longest, ...episodes.map((e) => e.length)),
          );
          return {
            advantage: (e) => advantages[e],
            weight: (e) => weights[e]!,
            metrics: groupMetrics(returns, config.group_size),
          };
        },
        makeLoss: (spec) => makeGrpoMlpLoss(spec, config),
      },
      context,
    );
  }
}

/** The shared clipped objective ({@link policyObjective}) with steps in place of tokens, weighted by the loss type. */
export function makeGrpoMlpLoss(spec: MlpPolicySpec, config: GrpoMlpConfig) {
  return (params: MlpParams, batch: EngineStepBatch): [np.Array, LossAux] => {
    const { obs, actions, oldLogProbs, advantages, weights, returns } = batch;
    returns.dispose();
    const { logProbs, entropy } = actorLogProbs(spec, params, obs, actions);
    const totalWeight = np.maximum(np.sum(weights.ref), 1e-12);
    const oldApproxKl = np.sum(oldLogProbs.ref.sub(logProbs.ref).mul(weights.ref)).div(totalWeight.ref);
    const entropyMean = np.sum(entropy.mul(weights.ref)).div(totalWeight);
    const [loss, aux] = policyObjective(logProbs, { advantages, weights, oldLogProbs }, { epsilonLow: config.epsilon, epsilonHigh: config.epsilon_high ?? config.epsilon, beta: 0, klEstimator: 'k3' });
    return [loss, { ...aux, old_approx_kl: oldApproxKl, entropy: entropyMean }];
  };
}

/** Mean/std of returns and the fraction of groups whose returns are all equal (no learning signal). */
function groupMetrics(returns: Float32Array, groupSize: number): Record<string, number> {
  const groups = returns.length / groupSize;
  let flat = 0;
  for (let g = 0; g < groups; g++) {
    const group = returns.subarray(g * groupSize, (g + 1) * groupSize);
    if (group.every((r) => r === group[0])) flat++;
  }
  const m = returns.reduce((s, r) => s + r, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((s, r) => s + (r - m) ** 2, 0) / returns.length);
  return { 'rewards/mean': m, 'rewards/std': std, 'rewards/frac_zero_std_groups': flat / groups };
}
