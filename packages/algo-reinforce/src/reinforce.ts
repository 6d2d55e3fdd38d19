import { z, type Algorithm, type TrainContext, type TrainResult } from '@rlft/core';
import { discountedReturns, normalize, np, type LossAux } from '@rlft/nn';
import { criticForward, type MlpParams, type MlpPolicySpec } from '@rlft/policy-mlp';
import { actorLogProbs, episodicConfigShape, trainEpisodic, type EngineStepBatch, type EpisodicConfig, type RoundPlan } from '@rlft/training';

export const REINFORCE_ID = 'reinforce';

export const reinforceConfigSchema = z
  .object({
    ...episodicConfigShape,
    learning_rate: z.number().positive().default(5e-3).describe('Adam learning rate'),
    episodes_per_update: z.number().int().positive().default(8).describe('episodes per policy update (one per parallel env)'),
    gamma: z.number().min(0).max(1).default(0.99).describe('discount factor of the Monte-Carlo return'),
    baseline: z.enum(['none', 'value']).default('none').describe("'value': subtract a learned state value V(s) from the return"),
    vf_coef: z.number().min(0).default(0.5).describe('value-baseline loss coefficient'),
    normalize_returns: z.boolean().default(true).describe('standardise the returns-to-go (or advantages) over each batch'),
    ent_coef: z.number().min(0).default(0).describe('entropy bonus coefficient'),
  })
  .strict();

export type ReinforceConfig = z.output<typeof reinforceConfigSchema> & EpisodicConfig;

/**
 * REINFORCE (Williams 1992): loss −mean_t log π(a_t|s_t)·(G_t − b(s_t)) over all steps of a
 * batch of complete episodes, with the Monte-Carlo return-to-go G_t and an optional learned
 * value baseline b(s) = V(s) (trained by 0.5·(V − G)²).
 */
export class Reinforce implements Algorithm<ReinforceConfig> {
  readonly id = REINFORCE_ID;
  readonly config: ReinforceConfig;

  constructor(config: ReinforceConfig) {
    this.config = config;
  }

  train(context: TrainContext): Promise<TrainResult> {
    const config = this.config;
    const withCritic = config.baseline === 'value';
    return trainEpisodic(
      {
        id: REINFORCE_ID,
        config,
        numEnvs: config.episodes_per_update,
        withCritic,
        iterations: 1,
        seedsForRound: (rng) => Array.from({ length: config.episodes_per_update }, () => rng.nextSeed()),
        plan: (episodes, network): RoundPlan => {
          const returns = episodes.map((e) => discountedReturns({ rewards: e.rewards, dones: endOf(e.length), gamma: config.gamma, numEnvs: 1 }));
          const baselines = episodes.map((e) => (withCritic ? Float32Array.from(network.values!(e.obs, e.length)) : new Float32Array(e.length)));
          const advantages = episodes.map((_, k) => returns[k].map((g, t) => g - baselines[k][t]));
          if (config.normalize_returns) standardizeAll(advantages);
          const steps = episodes.reduce((s, e) => s + e.length, 0);
          return {
            advantage: (e, t) => advantages[e][t],
            weight: () => 1 / steps,
            returnToGo: (e, t) => returns[e][t],
            metrics: { 'charts/mean_return_to_go': mean(returns.flatMap((r) => Array.from(r))) },
          };
        },
        makeLoss: (spec) => makeReinforceLoss(spec, config),
      },
      context,
    );
  }
}

/** The loss above on a weighted step batch (padding rows have weight 0); exported for its gradient tests. */
export function makeReinforceLoss(spec: MlpPolicySpec, config: ReinforceConfig) {
  const withCritic = config.baseline === 'value';
  return (params: MlpParams, batch: EngineStepBatch): [np.Array, LossAux] => {
    const { obs, actions, oldLogProbs, advantages, weights, returns } = batch;
    oldLogProbs.dispose();
    const { logProbs, entropy } = actorLogProbs(spec, params, withCritic ? obs.ref : obs, actions);
    const policyLoss = np.sum(logProbs.mul(advantages).mul(weights.ref)).mul(-1);
    const entropyMean = np.sum(entropy.mul(weights.ref));
    let loss = policyLoss.ref.sub(entropyMean.ref.mul(config.ent_coef));
    const aux: LossAux = { policy_loss: policyLoss, entropy: entropyMean };
    if (withCritic) {
      const values = criticForward(spec, params.critic!, obs);
      const valueLoss = np.sum(np.square(values.sub(returns)).mul(weights)).mul(0.5);
      loss = loss.add(valueLoss.ref.mul(config.vf_coef));
      aux.value_loss = valueLoss;
    } else {
      returns.dispose();
      weights.dispose();
    }
    return [loss, aux];
  };
}

/** dones for one episode laid out as a rollout of one env: only the last step ends it. */
function endOf(length: number): Float32Array {
  const dones = new Float32Array(length);
  dones[length - 1] = 1;
  return dones;
}

/** Standardise the values of all episodes together (mean 0, unbiased std 1), in place. */
function standardizeAll(groups: Float32Array[]): void {
  const all = new Float32Array(groups.reduce((n, g) => n + g.length, 0));
  let offset = 0;
  for (const g of groups) {
    all.set(g, offset);
    offset += g.length;
  }
  normalize(all, 1e-8, all);
  offset = 0;
  for (const g of groups) {
    g.set(all.subarray(offset, offset + g.length));
    offset += g.length;
  }
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : NaN;
}
