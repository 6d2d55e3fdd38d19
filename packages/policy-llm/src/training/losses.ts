import { np, type LossAux } from '@rlft/nn';
import type { EngineSequences } from './sequences.js';

/**
 * Next-token cross-entropy averaged over the masked targets (SFT's loss: completion tokens only,
 * or every token, as the batch's mask says). Reports `tokens`, the number of counted targets.
 */
export function maskedNll(logProbs: (sequences: EngineSequences) => np.Array, sequences: EngineSequences): [np.Array, LossAux] {
  const mask = sequences.mask;
  const tokens = np.sum(mask.ref);
  const total = np.sum(logProbs(sequences).mul(mask));
  const loss = total.neg().div(np.maximum(tokens.ref, 1));
  return [loss, { tokens }];
}
