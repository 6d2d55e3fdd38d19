import { approxKl, clipFraction, clippedSurrogate, normalizeEngine, valueLoss, np, type LossAux } from '@rlft/nn';
import { criticForward, type MlpParams, type MlpPolicySpec } from '@rlft/policy-mlp';
import { actorLogProbs } from '@rlft/training';
import type { PpoConfig } from './config.js';

/** One minibatch, as engine arrays. Discrete actions are one-hot [B, n]; continuous ones [B, dim]. */
export type PpoBatch = {
  obs: np.Array;
  actions: np.Array;
  oldLogProbs: np.Array;
  advantages: np.Array;
  returns: np.Array;
  oldValues: np.Array;
};

/**
 * CleanRL's PPO loss: clipped surrogate − ent_coef·entropy + vf_coef·value loss, with
 * per-minibatch advantage normalisation and the clipped value loss. Diagnostics: pg_loss,
 * v_loss, entropy, old_approx_kl, approx_kl, clipfrac.
 */
export function makePpoLoss(spec: MlpPolicySpec, config: PpoConfig) {
  return (params: MlpParams, batch: PpoBatch): [np.Array, LossAux] => {
    const { obs, actions, oldLogProbs, advantages, returns, oldValues } = batch;
    const { logProbs: newLogProbs, entropy } = actorLogProbs(spec, params, obs.ref, actions);
    const logRatio = newLogProbs.sub(oldLogProbs);
    const normalized = config.norm_adv ? normalizeEngine(advantages) : advantages;
    const pgLoss = np.mean(clippedSurrogate(logRatio.ref, normalized, config.clip_coef));
    const values = criticForward(spec, params.critic!, obs);
    const vLoss = valueLoss(values, returns, config.clip_vloss ? { oldValues, clip: config.clip_coef } : (oldValues.dispose(), {}));
    const entropyMean = np.mean(entropy);
    const loss = pgLoss.ref.sub(entropyMean.ref.mul(config.ent_coef)).add(vLoss.ref.mul(config.vf_coef));
    const kl = approxKl(logRatio.ref);
    const clipfrac = clipFraction(logRatio, config.clip_coef);
    return [loss, { pg_loss: pgLoss, v_loss: vLoss, entropy: entropyMean, old_approx_kl: kl.oldApproxKl, approx_kl: kl.approxKl, clipfrac }];
  };
}
