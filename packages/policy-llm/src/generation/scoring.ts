import { np } from '@rlft/nn';
import { causalAttnBias, leftPaddedPositions, type LoraApplication } from '../model/forward.js';
import type { TransformerConfig, TransformerParams } from '../model/types.js';
import { compiledForwards } from './compiled.js';
import { leftPadTokens, roundUp } from './layout.js';

/** Scored sequences are padded to a multiple of this many tokens (one compilation per bucket). */
export const SCORE_LENGTH_MULTIPLE = 16;

/**
 * log p(completion token | prompt, earlier completion tokens) for every token of every
 * completion, from one left-padded batch forward (for RL: the old policy's log-probs, or a
 * reference model's). At temperature 1 these equal the logprobs the generator reports.
 */
export async function completionLogProbs(
  config: TransformerConfig,
  params: TransformerParams,
  prompts: readonly (readonly number[])[],
  completions: readonly (readonly number[])[],
  lora?: LoraApplication,
): Promise<Float32Array[]> {
  if (prompts.length !== completions.length) throw new RangeError(`completionLogProbs: ${prompts.length} prompts but ${completions.length} completions`);
  if (prompts.length === 0) return [];
  prompts.forEach((prompt, i) => {
    if (prompt.length === 0) throw new RangeError(`completionLogProbs: prompt ${i} is empty; the first completion token needs a context`);
  });
  // Position t predicts token t + 1: inputs are the sequence without its last token, targets without its first.
  const sequences = prompts.map((prompt, i) => [...prompt, ...completions[i]]);
  const inputs = sequences.map((s) => s.slice(0, -1));
  const targets = sequences.map((s) => s.slice(1));
  const length = roundUp(Math.max(...inputs.map((s) => s.length)), SCORE_LENGTH_MULTIPLE);
  const batch = sequences.length;
  const padding = inputs.map((s) => length - s.length);
  const logProbs = compiledForwards(config).score(
    params,
    lora,
    np.array(leftPadTokens(inputs, length, 0), { shape: [batch, length], dtype: np.int32 }),
    leftPaddedPositions(padding, length),
    causalAttnBias(padding, length),
    np.array(leftPadTokens(targets, length, 0), { shape: [batch, length], dtype: np.int32 }),
  );
  const all = (await logProbs.data()) as Float32Array;
  // Each row's completion is its last completions[i].length positions.
  return completions.map((completion, b) => all.slice((b + 1) * length - completion.length, (b + 1) * length));
}
