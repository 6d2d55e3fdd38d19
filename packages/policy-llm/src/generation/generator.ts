import { InvalidKwargsError, Rng } from '@rlft/core';
import { np } from '@rlft/nn';
import type { SamplingOptions } from '../backend.js';
import { cacheWriteOneHot, cachedAttnBias, leftPaddedPositions, type KvCache, type LoraApplication } from '../model/forward.js';
import type { TransformerConfig, TransformerParams } from '../model/types.js';
import type { TextTokenizer } from '../tokenizer.js';
import { compiledForwards, type CompiledForwards } from './compiled.js';
import { DEFAULT_BUCKETS, layoutBatch, leftPadTokens, type BatchLayout, type BucketSizes } from './layout.js';
import { TokenSampler } from './sampling.js';
import { StopWatcher, type FinishReason } from './stop.js';

/** One generated completion, token level. */
export interface GeneratedSequence {
  /** Generated ids, including a final eos token and every token up to the one that completed a stop string. */
  ids: number[];
  /** Decoded ids without a final eos, cut right after the stop string. */
  text: string;
  finishReason: FinishReason;
  /** log p(id) of each generated id under the model's unscaled distribution (see {@link TokenSampler}). */
  logprobs: number[];
}

/** Running totals over a generator's calls, for throughput logs (`charts/gen_tokens_per_s`). */
export class GenerationStats {
  promptTokens = 0;
  generatedTokens = 0;
  prefillSeconds = 0;
  decodeSeconds = 0;

  /** Prompt tokens processed per second of prefill. */
  get prefillTokensPerSecond(): number {
    return this.prefillSeconds > 0 ? this.promptTokens / this.prefillSeconds : 0;
  }

  /** Generated tokens per second of decoding (the first token of each row comes from the prefill). */
  get decodeTokensPerSecond(): number {
    return this.decodeSeconds > 0 ? this.generatedTokens / this.decodeSeconds : 0;
  }

  /** Generated tokens per second of the whole generation, prefill included. */
  get tokensPerSecond(): number {
    const seconds = this.prefillSeconds + this.decodeSeconds;
    return seconds > 0 ? this.generatedTokens / seconds : 0;
  }

  reset(): void {
    this.promptTokens = this.generatedTokens = this.prefillSeconds = this.decodeSeconds = 0;
  }
}

/** A value, or a getter read at the start of every call (training replaces the weights between calls). */
export type Live<T> = T | (() => T);

export interface GeneratorOptions {
  config: TransformerConfig;
  tokenizer: TextTokenizer;
  params: Live<TransformerParams>;
  lora?: Live<LoraApplication | undefined>;
  /** Padding buckets of prompt length and cache capacity (fewer shapes, fewer compilations). */
  buckets?: Partial<BucketSizes>;
}

/**
 * Batched generation with the in-process transformer: prompts are left-padded into one batch,
 * processed in one prefill forward, then decoded one compiled step per token with a
 * fixed-capacity KV cache. Rows that finish keep stepping (on a pad token, output ignored)
 * until every row is done, which keeps one shape per batch. Only the last position's logits
 * are read back; sampling, stop strings and eos happen on the host.
 *
 * With a seed, each row draws from its own stream (the seed's i-th split), so results are
 * reproducible; greedy results of a prompt do not depend on the other prompts of the batch.
 */
export class Generator {
  readonly config: TransformerConfig;
  readonly tokenizer: TextTokenizer;
  readonly stats = new GenerationStats();
  private readonly params: Live<TransformerParams>;
  private readonly lora: Live<LoraApplication | undefined>;
  private readonly buckets: BucketSizes;
  private readonly compiled: CompiledForwards;
  private readonly padId: number;
  private readonly eosTokenIds: number[];

  constructor(options: GeneratorOptions) {
    this.config = options.config;
    this.tokenizer = options.tokenizer;
    this.params = options.params;
    this.lora = options.lora;
    this.buckets = { ...DEFAULT_BUCKETS, ...options.buckets };
    this.compiled = compiledForwards(options.config);
    // Padding is masked out, so any id in the vocabulary serves.
    this.padId = options.tokenizer.padTokenId ?? options.config.padTokenId ?? options.tokenizer.eosTokenIds[0] ?? 0;
    this.eosTokenIds = [...new Set([...options.tokenizer.eosTokenIds, ...options.config.eosTokenIds])];
  }

  /** One completion per prompt (token ids), in order. */
  async generate(prompts: readonly (readonly number[])[], sampling: SamplingOptions): Promise<GeneratedSequence[]> {
    this.check(prompts, sampling);
    const sampler = new TokenSampler(sampling);
    if (prompts.length === 0) return [];
    const params = read(this.params);
    const lora = read(this.lora);
    const layout = layoutBatch(
      prompts.map((p) => p.length),
      sampling.maxNewTokens,
      this.buckets,
    );
    const root = Rng.fromSeed(sampling.seed);
    const rngs = prompts.map(() => root.split());
    const decode = (ids: readonly number[]) => this.tokenizer.decode(ids, { skipSpecialTokens: false });
    const watchers = prompts.map(() => new StopWatcher({ stop: sampling.stop, eosTokenIds: this.eosTokenIds, maxNewTokens: sampling.maxNewTokens }, decode));
    const logprobs = prompts.map((): number[] => []);
    const vocab = this.config.vocabSize;

    let started = performance.now();
    let step = this.prefill(params, lora, layout, prompts);
    let rows = (await step.lastLogits.data()) as Float32Array;
    this.stats.prefillSeconds += (performance.now() - started) / 1000;
    this.stats.promptTokens += prompts.reduce((n, p) => n + p.length, 0);
    started = performance.now();
    for (let fed = 0; ; fed++) {
      const next = watchers.map((watcher, b) => {
        if (watcher.done) return this.padId;
        const row = b * (vocab + 1);
        const sampled = sampler.sample(rows.subarray(row, row + vocab), rngs[b], rows[row + vocab]);
        watcher.push(sampled.token);
        logprobs[b].push(sampled.logProb);
        this.stats.generatedTokens++;
        return sampled.token;
      });
      if (watchers.every((w) => w.done)) break;
      step = this.decodeStep(params, lora, layout, step.cache, next, fed);
      rows = (await step.lastLogits.data()) as Float32Array;
    }
    for (const array of [...step.cache.keys, ...step.cache.values]) array.dispose();
    this.stats.decodeSeconds += (performance.now() - started) / 1000;
    return watchers.map((watcher, b) => ({ ids: watcher.ids, text: watcher.text(), finishReason: watcher.finishReason, logprobs: logprobs[b] }));
  }

  /** Releases the compiled functions of this generator's config (shared with other generators of the same config object). */
  dispose(): void {
    this.compiled.dispose();
  }

  private prefill(params: TransformerParams, lora: LoraApplication | undefined, layout: BatchLayout, prompts: readonly (readonly number[])[]) {
    const { batch, promptLength: P, capacity, padding } = layout;
    const tokens = np.array(leftPadTokens(prompts, P, this.padId), { shape: [batch, P], dtype: np.int32 });
    return this.compiled.prefill(params, lora, tokens, leftPaddedPositions(padding, P), cachedAttnBias(padding, 0, P, capacity), cacheWriteOneHot(0, P, capacity));
  }

  /** Feeds the `fed`-th generated token of every row: it goes to slot P + fed, at position promptLength + fed. */
  private decodeStep(params: TransformerParams, lora: LoraApplication | undefined, layout: BatchLayout, cache: KvCache, next: number[], fed: number) {
    const { batch, promptLength: P, capacity, padding } = layout;
    const tokens = np.array(Int32Array.from(next), { shape: [batch, 1], dtype: np.int32 });
    const positions = np.array(
      Int32Array.from(padding, (pad) => P - pad + fed),
      { shape: [batch, 1], dtype: np.int32 },
    );
    return this.compiled.decode(params, lora, cache, tokens, positions, cachedAttnBias(padding, P + fed, 1, capacity), cacheWriteOneHot(P + fed, 1, capacity));
  }

  private check(prompts: readonly (readonly number[])[], sampling: SamplingOptions): void {
    const problems: string[] = [];
    if (!(Number.isInteger(sampling.maxNewTokens) && sampling.maxNewTokens >= 1)) problems.push(`maxNewTokens must be an integer ≥ 1, got ${sampling.maxNewTokens}`);
    if (problems.length) throw new InvalidKwargsError('sampling', problems, ['maxNewTokens integer ≥ 1']);
    prompts.forEach((prompt, i) => {
      if (prompt.length === 0) throw new RangeError(`Prompt ${i} is empty; generation needs at least one prompt token`);
      const last = prompt.length + sampling.maxNewTokens - 1;
      if (this.config.positions === 'learned' && last >= this.config.maxPositions) {
        throw new RangeError(`Prompt ${i} (${prompt.length} tokens) + maxNewTokens ${sampling.maxNewTokens} exceeds the model's ${this.config.maxPositions} positions`);
      }
      for (const id of prompt) {
        if (!(Number.isInteger(id) && id >= 0 && id < this.config.vocabSize)) throw new RangeError(`Prompt ${i} holds token id ${id}, outside the vocabulary [0, ${this.config.vocabSize})`);
      }
    });
  }
}

function read<T>(value: Live<T>): T {
  return typeof value === 'function' ? (value as () => T)() : value;
}
