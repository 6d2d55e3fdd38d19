import { jit, nn } from '@jax-js/jax';
import { np, refTree } from '@rlft/nn';
import { emptyKvCache, forward, tokenLogProbs, type KvCache, type LoraApplication } from '../model/forward.js';
import type { LoraParams, TransformerConfig, TransformerParams } from '../model/types.js';

/**
 * Each row's last position, [B, V + 1]: the V logits, then their log-sum-exp (so the host
 * gets log-probabilities without another pass over the vocabulary), and the cache after the step.
 */
export type StepOutput = { lastLogits: np.Array; cache: KvCache };

/** Prompt tokens [B, P] into a fresh cache of `cacheWrite`'s capacity. Consumes the inputs, not the weights. */
export type PrefillFn = (params: TransformerParams, lora: LoraApplication | undefined, tokens: np.Array, positions: np.Array, attnBias: np.Array, cacheWrite: np.Array) => StepOutput;
/** One new token per row [B, 1] against the cache. Consumes the cache and the inputs, not the weights. */
export type DecodeFn = (params: TransformerParams, lora: LoraApplication | undefined, cache: KvCache, tokens: np.Array, positions: np.Array, attnBias: np.Array, cacheWrite: np.Array) => StepOutput;
/** log p(targets) [B, T] after a plain forward. Consumes the inputs, not the weights. */
export type ScoreFn = (params: TransformerParams, lora: LoraApplication | undefined, tokens: np.Array, positions: np.Array, attnBias: np.Array, targets: np.Array) => np.Array;

type Jitted = ((...args: never[]) => unknown) & { dispose(): void };

/**
 * The compiled forwards of one model config: prefill, one decode step and scoring, each
 * `jit`-ed once per (role, LoRA scaling) and kept. jax-js compiles a jitted function once per
 * input shape and reuses that compilation, so bucketed batch shapes compile once each.
 * Jitted functions consume their arguments, so the weights go in as fresh references.
 */
export class CompiledForwards {
  private readonly jitted = new Map<string, Jitted>();

  constructor(readonly config: TransformerConfig) {}

  readonly prefill: PrefillFn = (params, lora, tokens, positions, attnBias, cacheWrite) => {
    const scaling = lora?.scaling ?? 0;
    const fn = this.compile(`prefill:${loraKey(lora)}`, (weights: Weights, tokens: np.Array, positions: np.Array, attnBias: np.Array, cacheWrite: np.Array) => {
      const cache = emptyKvCache(this.config, tokens.shape[0], cacheWrite.shape[1]);
      const out = forward(this.config, weights.params, { tokens, positions, attnBias, cacheWrite }, { cache, lora: loraOption(weights, scaling), lastPositionOnly: true });
      return { lastLogits: withLogNormaliser(out.logits), cache: out.cache as KvCache };
    });
    return fn(weightsOf(params, lora), tokens, positions, attnBias, cacheWrite) as StepOutput;
  };

  readonly decode: DecodeFn = (params, lora, cache, tokens, positions, attnBias, cacheWrite) => {
    const scaling = lora?.scaling ?? 0;
    const fn = this.compile(`decode:${loraKey(lora)}`, (weights: Weights, cache: KvCache, tokens: np.Array, positions: np.Array, attnBias: np.Array, cacheWrite: np.Array) => {
      const out = forward(this.config, weights.params, { tokens, positions, attnBias, cacheWrite }, { cache, lora: loraOption(weights, scaling), lastPositionOnly: true });
      return { lastLogits: withLogNormaliser(out.logits), cache: out.cache as KvCache };
    });
    return fn(weightsOf(params, lora), cache, tokens, positions, attnBias, cacheWrite) as StepOutput;
  };

  readonly score: ScoreFn = (params, lora, tokens, positions, attnBias, targets) => {
    const scaling = lora?.scaling ?? 0;
    const fn = this.compile(`score:${loraKey(lora)}`, (weights: Weights, tokens: np.Array, positions: np.Array, attnBias: np.Array, targets: np.Array) => {
      const { logits } = forward(this.config, weights.params, { tokens, positions, attnBias }, { lora: loraOption(weights, scaling) });
      return tokenLogProbs(logits, targets);
    });
    return fn(weightsOf(params, lora), tokens, positions, attnBias, targets) as np.Array;
  };

  /** How many jitted functions are held (each compiles once per input shape). */
  get size(): number {
    return this.jitted.size;
  }

  dispose(): void {
    for (const fn of this.jitted.values()) fn.dispose();
    this.jitted.clear();
  }

  private compile<F extends (...args: never[]) => unknown>(key: string, body: F): (...args: unknown[]) => unknown {
    let fn = this.jitted.get(key);
    if (!fn) {
      fn = jit(body as never) as unknown as Jitted;
      this.jitted.set(key, fn);
    }
    return fn as unknown as (...args: unknown[]) => unknown;
  }
}

const shared = new WeakMap<TransformerConfig, CompiledForwards>();

/** The compiled forwards for `config`, shared by everything that generates with or scores it. */
export function compiledForwards(config: TransformerConfig): CompiledForwards {
  let compiled = shared.get(config);
  if (!compiled) {
    compiled = new CompiledForwards(config);
    shared.set(config, compiled);
  }
  return compiled;
}

/** What enters the jitted function as traced arrays: the base weights and the adapters, if any. */
type Weights = { params: TransformerParams; lora?: LoraParams };

function weightsOf(params: TransformerParams, lora: LoraApplication | undefined): Weights {
  return lora ? { params: refTree(params), lora: refTree(lora.params) } : { params: refTree(params) };
}

/** The scaling is a compile-time constant: a different one is a different jitted function. */
function loraKey(lora: LoraApplication | undefined): string {
  return lora ? `lora×${lora.scaling}` : 'base';
}

function loraOption(weights: Weights, scaling: number): LoraApplication | undefined {
  return weights.lora ? { params: weights.lora, scaling } : undefined;
}

/** Last-position logits [B, V] with their log-normaliser appended as column V. */
function withLogNormaliser(last: np.Array): np.Array {
  return np.concatenate([last.ref, nn.logsumexp(last, -1, { keepdims: true })], -1);
}
