/**
 * A tokenizer as the model and the generator use it: a Hugging Face `tokenizer.json` read by
 * @huggingface/tokenizers, or the built-in one of rlft's from-scratch models (which is itself
 * written as a tokenizer.json, so saved models load like any other).
 */
export interface TextTokenizer {
  readonly vocabSize: number;
  /** Token ids of `text`, without special tokens added by a post-processor unless asked. */
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  /** The id of a token string (special tokens included), or undefined. */
  tokenToId(token: string): number | undefined;
  readonly eosTokenIds: number[];
  readonly bosTokenId?: number;
  readonly padTokenId?: number;
}
