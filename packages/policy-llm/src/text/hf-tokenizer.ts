import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { RlftError } from '@rlft/core';
import type { TextTokenizer } from '../tokenizer.js';

/** The parts of a Hugging Face `tokenizer_config.json` rlft reads. */
export interface TokenizerConfig {
  eos_token?: TokenSetting;
  bos_token?: TokenSetting;
  pad_token?: TokenSetting;
  unk_token?: TokenSetting;
  chat_template?: string | { name: string; template: string }[] | null;
  [key: string]: unknown;
}

/** Special tokens in tokenizer_config.json are a string or an AddedToken object `{content, …}`. */
export type TokenSetting = string | { content: string } | null;

/** Options that do not live in tokenizer.json / tokenizer_config.json. */
export interface HfTokenizerOptions {
  /**
   * More ids that end generation, e.g. `eos_token_id` of a model's generation_config.json (Qwen3
   * stops on both `<|im_end|>` and `<|endoftext|>`).
   */
  extraEosTokenIds?: readonly number[];
}

export class TokenizerFilesError extends RlftError {
  constructor(message: string, options?: ErrorOptions) {
    super('TOKENIZER_FILES', message, options);
  }
}

/** Tokens that end text in common model families, used only when the config names no eos_token. */
const CONVENTIONAL_EOS_TOKENS = ['<|endoftext|>', '</s>', '<|im_end|>', '<|eot_id|>', '<|end_of_text|>', '<eos>'];

/** The token string of a tokenizer_config special-token setting. */
export function tokenContent(setting: unknown): string | undefined {
  if (typeof setting === 'string') return setting;
  if (typeof setting === 'object' && setting !== null && typeof (setting as { content?: unknown }).content === 'string') {
    return (setting as { content: string }).content;
  }
  return undefined;
}

function readJsonFile(path: string, what: string, dir: string): unknown {
  if (!existsSync(path)) {
    throw new TokenizerFilesError(
      `${dir} has no ${what}. A tokenizer directory needs tokenizer.json (the Hugging Face fast-tokenizer file) and ` +
        'tokenizer_config.json (special tokens and the chat template), as saved by `save_pretrained`; nothing is downloaded.',
    );
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TokenizerFilesError(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** `eos_token_id` of generation_config.json, a number or a list of numbers. */
function generationEosIds(dir: string): number[] {
  const path = join(dir, 'generation_config.json');
  if (!existsSync(path)) return [];
  const config = readJsonFile(path, 'generation_config.json', dir) as { eos_token_id?: unknown };
  const value = config.eos_token_id;
  const ids = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return ids.filter((id): id is number => Number.isInteger(id));
}

/**
 * A Hugging Face fast tokenizer (`tokenizer.json`) read by @huggingface/tokenizers, with the
 * special tokens and chat template of its `tokenizer_config.json`.
 */
export class HfTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly eosTokenIds: number[];
  readonly bosTokenId?: number;
  readonly padTokenId?: number;
  /** The Jinja chat template, when the config has one (the default of a named-template list). */
  readonly chatTemplate: string | undefined;
  readonly eosToken: string | undefined;
  readonly bosToken: string | undefined;
  private readonly tokenizer: Tokenizer;

  private constructor(
    readonly tokenizerJson: Record<string, unknown>,
    readonly tokenizerConfig: TokenizerConfig,
    options: HfTokenizerOptions,
  ) {
    try {
      this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    } catch (error) {
      throw new TokenizerFilesError(`tokenizer.json could not be read: ${(error as Error).message}`, { cause: error });
    }
    // Ids can have gaps (added tokens past the model vocabulary); the embedding must cover the largest.
    let maxId = -1;
    for (const id of this.tokenizer.get_vocab(true).values()) if (id > maxId) maxId = id;
    this.vocabSize = maxId + 1;

    this.eosToken = tokenContent(tokenizerConfig.eos_token);
    this.bosToken = tokenContent(tokenizerConfig.bos_token);
    const eos = this.eosToken !== undefined ? [this.eosToken] : CONVENTIONAL_EOS_TOKENS;
    const eosIds = eos.map((token) => this.tokenToId(token)).filter((id): id is number => id !== undefined);
    this.eosTokenIds = [...new Set([...eosIds, ...(options.extraEosTokenIds ?? [])])];
    const bos = this.bosToken === undefined ? undefined : this.tokenToId(this.bosToken);
    if (bos !== undefined) this.bosTokenId = bos;
    const padToken = tokenContent(tokenizerConfig.pad_token);
    const pad = padToken === undefined ? undefined : this.tokenToId(padToken);
    if (pad !== undefined) this.padTokenId = pad;
    this.chatTemplate = defaultChatTemplate(tokenizerConfig.chat_template);
  }

  /** Reads `tokenizer.json` and `tokenizer_config.json` (and generation_config.json's eos ids, if present) from `dir`. */
  static fromDir(dir: string): HfTokenizer {
    const tokenizerJson = readJsonFile(join(dir, 'tokenizer.json'), 'tokenizer.json', dir) as Record<string, unknown>;
    const tokenizerConfig = readJsonFile(join(dir, 'tokenizer_config.json'), 'tokenizer_config.json', dir) as TokenizerConfig;
    return new HfTokenizer(tokenizerJson, tokenizerConfig, { extraEosTokenIds: generationEosIds(dir) });
  }

  static fromJson(tokenizerJson: object, tokenizerConfig: object = {}, options: HfTokenizerOptions = {}): HfTokenizer {
    return new HfTokenizer(tokenizerJson as Record<string, unknown>, tokenizerConfig as TokenizerConfig, options);
  }

  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: options.addSpecialTokens ?? false }).ids;
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return ''; // the library refuses an empty list
    return this.tokenizer.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  /** Writes tokenizer.json and tokenizer_config.json into `dir` (a model directory), creating it if needed. */
  saveTo(dir: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'tokenizer.json'), `${JSON.stringify(this.tokenizerJson, null, 2)}\n`);
    writeFileSync(join(dir, 'tokenizer_config.json'), `${JSON.stringify(this.tokenizerConfig, null, 2)}\n`);
  }

  /** The token strings `text` splits into (for inspecting prompts). */
  tokenize(text: string): string[] {
    return this.tokenizer.tokenize(text);
  }
}

function defaultChatTemplate(setting: TokenizerConfig['chat_template']): string | undefined {
  if (typeof setting === 'string') return setting;
  if (Array.isArray(setting)) return (setting.find((entry) => entry.name === 'default') ?? setting[0])?.template;
  return undefined;
}
