import { categoricalEntropy, categoricalLogProb, gaussianEntropy, gaussianLogProb, np } from '@rlft/nn';
import { actorForward, type MlpParams, type MlpPolicySpec } from '@rlft/policy-mlp';

/**
 * Log-probabilities of taken actions and per-row entropies under the actor, for both action
 * kinds (engine arrays, jit-safe). `actions` is one-hot [B, n] (discrete) or [B, dim]
 * (continuous). Consumes `obs`, `actions`, `params.actor` and `params.log_std` (a loss that
 * also uses the critic consumes `params.critic` itself).
 */
export function actorLogProbs(spec: MlpPolicySpec, params: MlpParams, obs: np.Array, actions: np.Array): { logProbs: np.Array; entropy: np.Array } {
  const size = obs.shape[0];
  const output = actorForward(spec, params.actor, obs);
  if (spec.action.type === 'discrete') {
    return { logProbs: categoricalLogProb(output.ref, actions), entropy: categoricalEntropy(output) };
  }
  const logStd = params.log_std!;
  return { logProbs: gaussianLogProb(output, logStd.ref, actions), entropy: gaussianEntropy(logStd, size) };
}
