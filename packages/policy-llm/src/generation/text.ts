import type { Completion, SamplingOptions } from '../backend.js';
import type { TextTokenizer } from '../tokenizer.js';
import type { Generator } from './generator.js';

export interface GenerateTextOptions {
  /** Let the tokenizer's post-processor add special tokens (e.g. a BOS) to each prompt; off for prompts already formatted by a chat template. */
  addSpecialTokens?: boolean;
}

/** Text in, text out: encodes the prompts, generates one batch, and reports each completion as the backends do. */
export async function generateText(
  generator: Generator,
  tokenizer: TextTokenizer,
  prompts: readonly string[],
  sampling: SamplingOptions,
  options: GenerateTextOptions = {},
): Promise<Completion[]> {
  const ids = prompts.map((prompt) => tokenizer.encode(prompt, { addSpecialTokens: options.addSpecialTokens ?? false }));
  const sequences = await generator.generate(ids, sampling);
  return sequences.map((s) => ({ text: s.text, finishReason: s.finishReason, tokenCount: s.ids.length, logprobs: s.logprobs }));
}
