import { ACTION_CLOSE, ACTION_OPEN, OBSERVATION_CLOSE, OBSERVATION_OPEN } from '@rlft/data';
import { HfTokenizer } from './hf-tokenizer.js';

/**
 * The tokenizer of rlft's from-scratch models, written as an ordinary Hugging Face
 * tokenizer.json + tokenizer_config.json pair so a saved model directory loads like any other
 * (here through HfTokenizer, in Python through `tokenizers.Tokenizer.from_file`).
 *
 * One token per character over printable ASCII and newline, plus the format's four tags and a
 * few special tokens as single tokens: numbers are written digit by digit, which a small model
 * learns easily and which keeps the vocabulary (and the embedding) tiny.
 *
 * Encoding: NFKC first (so `…` becomes `...` and full-width digits become ASCII), then a BPE
 * model with no merges, i.e. one token per character. A character still outside the vocabulary
 * becomes one `<|unk|>` token each (tabs, accented letters, emoji); decoding shows `<|unk|>`,
 * or drops it with skipSpecialTokens.
 */

export const BUILTIN_PAD = '<|pad|>';
export const BUILTIN_EOS = '<|endoftext|>';
export const BUILTIN_UNK = '<|unk|>';
export const BUILTIN_SYSTEM = '<|system|>';
export const BUILTIN_USER = '<|user|>';
export const BUILTIN_ASSISTANT = '<|assistant|>';

const SPECIAL_TOKENS = [BUILTIN_PAD, BUILTIN_EOS, BUILTIN_UNK, BUILTIN_SYSTEM, BUILTIN_USER, BUILTIN_ASSISTANT];
/** The format's tags: added tokens, but not special, so decoding always keeps them. */
const TAG_TOKENS = [OBSERVATION_OPEN, OBSERVATION_CLOSE, ACTION_OPEN, ACTION_CLOSE];

function characters(): string[] {
  const chars = ['\n'];
  for (let code = 0x20; code <= 0x7e; code++) chars.push(String.fromCharCode(code));
  return chars;
}

/**
 * The chat template of the built-in tokenizer. A from-scratch model is trained on one
 * environment, so the template spends no tokens on instructions: system messages are DROPPED,
 * and a user turn is `<|user|>` + its text, an assistant turn `<|assistant|>` + its text +
 * `<|endoftext|>`. A reference-format observation of CartPole costs 2 + 2 tag tokens + its
 * characters. Few-shot examples (user/assistant pairs) are kept.
 */
export const BUILTIN_CHAT_TEMPLATE =
  "{%- for message in messages -%}" +
  "{%- if message.role == 'user' -%}" + `{{- '${BUILTIN_USER}' + message.content -}}` +
  "{%- elif message.role == 'assistant' -%}" + `{{- '${BUILTIN_ASSISTANT}' + message.content + eos_token -}}` +
  '{%- endif -%}' +
  '{%- endfor -%}' +
  `{%- if add_generation_prompt -%}{{- '${BUILTIN_ASSISTANT}' -}}{%- endif -%}`;

export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

/** The built-in tokenizer's two files, as objects ready for JSON.stringify. */
export function builtinTokenizerFiles(): TokenizerFiles {
  const tokens = [...SPECIAL_TOKENS, ...TAG_TOKENS, ...characters()];
  // Every token is in the model's vocabulary, so an added token's id is the same in every loader.
  const vocab: Record<string, number> = {};
  tokens.forEach((token, id) => (vocab[token] = id));
  const addedToken = (content: string, special: boolean) => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special,
  });
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...SPECIAL_TOKENS.map((t) => addedToken(t, true)), ...TAG_TOKENS.map((t) => addedToken(t, false))],
    normalizer: { type: 'NFKC' },
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: BUILTIN_UNK,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
  const addedTokensDecoder: Record<string, unknown> = {};
  for (const token of tokenizerJson.added_tokens) {
    const { id, ...rest } = token;
    addedTokensDecoder[String(id)] = rest;
  }
  const tokenizerConfig = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    added_tokens_decoder: addedTokensDecoder,
    additional_special_tokens: [BUILTIN_SYSTEM, BUILTIN_USER, BUILTIN_ASSISTANT],
    bos_token: null,
    eos_token: BUILTIN_EOS,
    pad_token: BUILTIN_PAD,
    unk_token: BUILTIN_UNK,
    clean_up_tokenization_spaces: false,
    model_max_length: 4096,
    chat_template: BUILTIN_CHAT_TEMPLATE,
  };
  return { tokenizerJson, tokenizerConfig };
}

let shared: HfTokenizer | undefined;

/** The built-in tokenizer (one shared instance: it is immutable). */
export function builtinTokenizer(): HfTokenizer {
  if (!shared) {
    const { tokenizerJson, tokenizerConfig } = builtinTokenizerFiles();
    shared = HfTokenizer.fromJson(tokenizerJson, tokenizerConfig);
  }
  return shared;
}
