import { categoricalLogProb, np, type LossAux } from '@rlft/nn';
import { actorForward, type HostMlp, type MlpParams, type MlpPolicySpec } from '@rlft/policy-mlp';

/** One minibatch as engine arrays: observations [B, obsDim]; one-hot actions [B, n] (Discrete) or action rows [B, dim] (Box). */
export type BcBatch = { obs: np.Array; targets: np.Array };

/**
 * The cloning loss: cross-entropy of the logits against the dataset's action (Discrete), or the
 * mean squared error of the Gaussian mean against it (Box; the log-std gets no gradient and stays
 * at its initial value, so a cloned policy acts by its mean when deterministic).
 */
export function makeBcLoss(spec: MlpPolicySpec) {
  return (params: MlpParams, batch: BcBatch): [np.Array, LossAux] => {
    const outputs = actorForward(spec, params.actor, batch.obs);
    if (spec.action.type === 'discrete') return [np.mean(categoricalLogProb(outputs, batch.targets)).neg(), {}];
    const error = outputs.sub(batch.targets);
    return [np.mean(error.ref.mul(error)), {}];
  };
}

/**
 * The same loss on the host over a whole split (validation each epoch), in chunks through the
 * host copy of the network; returns the mean over rows.
 */
export function hostBcLoss(network: HostMlp, observations: Float32Array, actions: Float32Array, count: number, chunk = 1024): number {
  const { obsDim } = network.spec;
  const width = network.actionDim;
  const discrete = network.spec.action.type === 'discrete';
  let total = 0;
  for (let start = 0; start < count; start += chunk) {
    const rows = Math.min(chunk, count - start);
    const outputs = network.actorOutput(observations.subarray(start * obsDim, (start + rows) * obsDim), rows);
    for (let r = 0; r < rows; r++) {
      const o = r * width;
      if (discrete) {
        let max = -Infinity;
        for (let j = 0; j < width; j++) max = Math.max(max, outputs[o + j]);
        let sum = 0;
        for (let j = 0; j < width; j++) sum += Math.exp(outputs[o + j] - max);
        total += max + Math.log(sum) - outputs[o + actions[start + r]];
      } else {
        let squares = 0;
        for (let j = 0; j < width; j++) squares += (outputs[o + j] - actions[(start + r) * width + j]) ** 2;
        total += squares / width;
      }
    }
  }
  return total / count;
}
