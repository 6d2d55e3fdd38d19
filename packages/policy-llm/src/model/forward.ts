import { nn } from '@jax-js/jax';
import { np } from '@rlft/nn';
import type { AttentionParams, BlockParams, LinearParams, LoraPair, LoraLayer, LoraParams, NormParams, TransformerConfig, TransformerParams } from './types.js';

/**
 * The one decoder forward of every family, parameterised by the config: LayerNorm or RMSNorm,
 * learned or rotary positions, multi-head or grouped-query attention, a GELU or SwiGLU MLP,
 * Qwen3's per-head q/k norm, optional LoRA deltas, and an optional fixed-capacity KV cache.
 *
 * Ownership: the input arrays and the cache are consumed; params and LoRA params are not
 * (every use takes `.ref`). Everything is engine ops, so it runs inside `jit` and under `grad`.
 */

/** Per layer [B, numKvHeads, capacity, headDim], float32. A type alias, not an interface, so that it passes through `jit` as a pytree. */
export type KvCache = {
  keys: np.Array[];
  values: np.Array[];
};

export interface ForwardInput {
  /** int32 [B, T]. */
  tokens: np.Array;
  /** int32 [B, T]: position of each token (with left padding the first real token has position 0). */
  positions: np.Array;
  /** float32 [B, T, S]: 0 where query t may attend key s, {@link MASKED} elsewhere; S = T without a cache, the capacity with one. */
  attnBias: np.Array;
  /** float32 [T, S] one-hot: the cache slot each new token's k/v goes to (required with a cache). */
  cacheWrite?: np.Array;
}

export interface LoraApplication {
  params: LoraParams;
  scaling: number;
}

export interface ForwardOptions {
  cache?: KvCache;
  lora?: LoraApplication;
  /**
   * Apply the output head at the last position only: logits [B, V] instead of [B, T, V]. What
   * generation needs; with a large vocabulary the full [B, T, V] of a long prompt would take
   * gigabytes.
   */
  lastPositionOnly?: boolean;
}

/** The additive bias that masks a key: large enough to vanish under softmax, finite so that an all-masked row stays finite. */
export const MASKED = -1e9;

export function emptyKvCache(config: TransformerConfig, batch: number, capacity: number): KvCache {
  const shape = [batch, config.numKvHeads, capacity, config.headDim];
  return {
    keys: Array.from({ length: config.numLayers }, () => np.zeros(shape)),
    values: Array.from({ length: config.numLayers }, () => np.zeros(shape)),
  };
}

export function forward(config: TransformerConfig, params: TransformerParams, input: ForwardInput, options: ForwardOptions = {}): { logits: np.Array; cache?: KvCache } {
  const { cache, lora } = options;
  const { tokens, positions, attnBias, cacheWrite } = input;
  const problem = inputProblem(config, input, cache);
  if (problem) {
    disposeAll([tokens, positions, attnBias, ...(cacheWrite ? [cacheWrite] : []), ...(cache ? [...cache.keys, ...cache.values] : [])]);
    throw new Error(`forward: ${problem}`);
  }
  if (!cache && cacheWrite) cacheWrite.dispose();

  // A gather, not a one-hot matmul: take's gradient works inside jit in jax-js 0.1.25 (checked by the gradient tests).
  let x = np.take(params.embed.ref, tokens, 0); // [B, T, d]
  let rope: Rope | undefined;
  if (config.positions === 'learned') {
    if (!params.position_embed) throw new Error('forward: a model with learned positions needs params.position_embed');
    x = x.add(np.take(params.position_embed.ref, positions, 0));
  } else {
    rope = ropeTables(config, positions);
  }
  // [B, 1, 1, T, S]: broadcast over kv heads and the query heads of each group.
  const bias = np.expandDims(attnBias, [1, 2]);

  const nextCache: KvCache | undefined = cache ? { keys: [], values: [] } : undefined;
  for (let i = 0; i < config.numLayers; i++) {
    const layer = params.layers[i];
    const layerCache = cache && cacheWrite ? { key: cache.keys[i], value: cache.values[i], write: cacheWrite.ref } : undefined;
    const result = block(config, layer, x, bias.ref, rope, layerCache, lora && { pairs: lora.params.layers[i] ?? {}, scaling: lora.scaling });
    x = result.x;
    if (nextCache && result.key && result.value) {
      nextCache.keys.push(result.key);
      nextCache.values.push(result.value);
    }
  }
  bias.dispose();
  cacheWrite?.dispose();
  if (rope) {
    rope.cos.dispose();
    rope.sin.dispose();
  }
  if (options.lastPositionOnly) x = x.slice([], -1, []);
  x = norm(config, params.final_norm, x);
  const head = params.lm_head ?? params.embed;
  const logits = np.matmul(x, head.ref.transpose());
  return nextCache ? { logits, cache: nextCache } : { logits };
}

const shapeText = (array: np.Array): string => `[${array.shape.join(', ')}]`;

/** What is wrong with the input's shapes, or undefined (checked up front: the engine's broadcast errors do not say which input). */
function inputProblem(config: TransformerConfig, input: ForwardInput, cache: KvCache | undefined): string | undefined {
  const { tokens, positions, attnBias, cacheWrite } = input;
  if (tokens.ndim !== 2) return `input.tokens must be [B, T], got ${shapeText(tokens)}`;
  const [batch, length] = tokens.shape;
  if (positions.ndim !== 2 || positions.shape[0] !== batch || positions.shape[1] !== length) return `input.positions must be [B, T] = [${batch}, ${length}] like tokens, got ${shapeText(positions)}`;
  let keys = length;
  if (cache) {
    if (cache.keys.length !== config.numLayers || cache.values.length !== config.numLayers) return `the cache has ${cache.keys.length} layers of keys and ${cache.values.length} of values; the model has ${config.numLayers}`;
    const expected = [batch, config.numKvHeads, cache.keys[0].shape[2], config.headDim];
    if (cache.keys[0].shape.join() !== expected.join()) return `cache entries must be [B, numKvHeads, capacity, headDim] = [${expected.join(', ')}], got ${shapeText(cache.keys[0])}`;
    keys = expected[2];
    if (!cacheWrite) return 'a KV cache needs input.cacheWrite, the one-hot [T, capacity] of the slots the new tokens go to';
    if (cacheWrite.ndim !== 2 || cacheWrite.shape[0] !== length || cacheWrite.shape[1] !== keys) return `input.cacheWrite must be [T, capacity] = [${length}, ${keys}], got ${shapeText(cacheWrite)}`;
  }
  const expectedBias = [batch, length, keys];
  if (attnBias.shape.join() !== expectedBias.join()) {
    return `input.attnBias must be [B, T, S] = [${expectedBias.join(', ')}] (S = T without a cache, the capacity with one), got ${shapeText(attnBias)}`;
  }
  if (config.positions === 'learned' && length > config.maxPositions) return `${length} tokens exceed the ${config.maxPositions} learned positions of this model`;
  return undefined;
}

/** log p(target) at every position, [B, T]; via a one-hot product so it differentiates. Consumes both. */
export function tokenLogProbs(logits: np.Array, targets: np.Array): np.Array {
  const vocab = logits.shape[logits.ndim - 1];
  return nn.logSoftmax(logits, -1).mul(nn.oneHot(targets, vocab)).sum(-1);
}

type Rope = { cos: np.Array; sin: np.Array }; // [B, 1, T, headDim]
type LayerCache = { key: np.Array; value: np.Array; write: np.Array };
type LoraHook = { pairs: LoraLayer; scaling: number };

/** cos/sin of position·θ^(−2i/d), duplicated over both halves (Hugging Face's rotate_half layout). */
function ropeTables(config: TransformerConfig, positions: np.Array): Rope {
  const half = config.headDim / 2;
  const inverseFrequencies = new Float32Array(config.headDim);
  for (let i = 0; i < half; i++) {
    // Computed in float64 then rounded, as torch computes inv_freq in float32 from an int64 arange.
    inverseFrequencies[i] = inverseFrequencies[i + half] = 1 / config.ropeTheta ** ((2 * i) / config.headDim);
  }
  const angles = np.expandDims(positions.astype(np.float32), -1).mul(np.array(inverseFrequencies)); // [B, T, D]
  const expanded = np.expandDims(angles, 1); // [B, 1, T, D]
  return { cos: np.cos(expanded.ref), sin: np.sin(expanded) };
}

function rotateHalf(x: np.Array): np.Array {
  const [first, second] = np.split(x, 2, -1);
  return np.concatenate([second.neg(), first], -1);
}

function applyRope(x: np.Array, rope: Rope): np.Array {
  return x.ref.mul(rope.cos.ref).add(rotateHalf(x).mul(rope.sin.ref));
}

function block(
  config: TransformerConfig,
  layer: BlockParams,
  x: np.Array,
  bias: np.Array,
  rope: Rope | undefined,
  cache: LayerCache | undefined,
  lora: LoraHook | undefined,
): { x: np.Array; key?: np.Array; value?: np.Array } {
  const attended = attention(config, layer.attn, norm(config, layer.attn_norm, x.ref), bias, rope, cache, lora);
  x = x.add(attended.out);
  x = x.ref.add(mlp(config, layer, norm(config, layer.mlp_norm, x), lora));
  return { x, key: attended.key, value: attended.value };
}

function attention(
  config: TransformerConfig,
  params: AttentionParams,
  x: np.Array,
  bias: np.Array,
  rope: Rope | undefined,
  cache: LayerCache | undefined,
  lora: LoraHook | undefined,
): { out: np.Array; key?: np.Array; value?: np.Array } {
  const [batch, length] = x.shape;
  const { numHeads: H, numKvHeads: KV, headDim: D } = config;
  let { q, k, v } = projectQkv(params, x, lora);
  // [B, T, heads, D]
  q = q.reshape([batch, length, H, D]);
  k = k.reshape([batch, length, KV, D]);
  v = v.reshape([batch, length, KV, D]);
  if (params.q_norm && params.k_norm) {
    q = rmsNorm(q, params.q_norm, config.normEps);
    k = rmsNorm(k, params.k_norm, config.normEps);
  }
  // [B, heads, T, D]
  q = q.transpose([0, 2, 1, 3]);
  k = k.transpose([0, 2, 1, 3]);
  v = v.transpose([0, 2, 1, 3]);
  if (rope) {
    q = applyRope(q, rope);
    k = applyRope(k, rope);
  }
  let key = k;
  let value = v;
  if (cache) {
    // Slot s of the new cache: the new token written there, else what the slot held.
    const write = cache.write; // [T, S]
    const [newTokens, slots] = write.shape;
    const written = write.ref.sum(0); // [S]
    const keep = np.expandDims(np.ones(written.shape).sub(written), -1); // [S, 1]
    const into = write.transpose().reshape([1, 1, slots, newTokens]); // [1, 1, S, T]
    key = cache.key.mul(keep.ref).add(np.matmul(into.ref, k));
    value = cache.value.mul(keep).add(np.matmul(into, v));
  }
  // Group the query heads by the kv head they share: [B, KV, G, T, D] against [B, KV, 1, S, D].
  const grouped = q.reshape([batch, KV, H / KV, length, D]);
  const keys = np.expandDims(key.ref, 2);
  const values = np.expandDims(value.ref, 2);
  const scores = np.matmul(grouped, keys.transpose([0, 1, 2, 4, 3])).mul(1 / Math.sqrt(D)).add(bias); // [B, KV, G, T, S]
  const weights = nn.softmax(scores, -1);
  const context = np.matmul(weights, values) // [B, KV, G, T, D]
    .reshape([batch, H, length, D])
    .transpose([0, 2, 1, 3])
    .reshape([batch, length, H * D]);
  const out = linearWithLora(context, params.o, lora, 'o');
  if (cache) return { out, key, value };
  key.dispose();
  value.dispose();
  return { out };
}

function projectQkv(params: AttentionParams, x: np.Array, lora: LoraHook | undefined): { q: np.Array; k: np.Array; v: np.Array } {
  const fused = lora?.pairs.qkv;
  if (fused) {
    // GPT-2's c_attn adapter: one delta over the concatenated [q | k | v] outputs.
    const delta = loraDelta(x.ref, fused, lora.scaling);
    const qSize = params.q.weight.shape[0];
    const kSize = params.k.weight.shape[0];
    const [dq, dk, dv] = np.split(delta, [qSize, qSize + kSize], -1);
    return {
      q: linear(x.ref, params.q).add(dq),
      k: linear(x.ref, params.k).add(dk),
      v: linear(x, params.v).add(dv),
    };
  }
  return {
    q: linearWithLora(x.ref, params.q, lora, 'q'),
    k: linearWithLora(x.ref, params.k, lora, 'k'),
    v: linearWithLora(x, params.v, lora, 'v'),
  };
}

function mlp(config: TransformerConfig, layer: BlockParams, x: np.Array, lora: LoraHook | undefined): np.Array {
  const params = layer.mlp;
  if (config.mlp === 'swiglu') {
    if (!params.gate) throw new Error('forward: a SwiGLU MLP needs mlp.gate');
    const gated = nn.silu(linearWithLora(x.ref, params.gate, lora, 'gate')).mul(linearWithLora(x, params.up, lora, 'up'));
    return linearWithLora(gated, params.down, lora, 'down');
  }
  // GPT-2's gelu_new: the tanh approximation.
  const hidden = nn.gelu(linearWithLora(x, params.up, lora, 'up'), { approximate: true });
  return linearWithLora(hidden, params.down, lora, 'down');
}

/** x·Wᵀ + b (torch.nn.Linear). Consumes x only. */
function linear(x: np.Array, params: LinearParams): np.Array {
  const y = np.matmul(x, params.weight.ref.transpose());
  return params.bias ? y.add(params.bias.ref) : y;
}

/** scaling·(x·Aᵀ)·Bᵀ. Consumes x only. */
function loraDelta(x: np.Array, pair: LoraPair, scaling: number): np.Array {
  return np.matmul(np.matmul(x, pair.A.ref.transpose()), pair.B.ref.transpose()).mul(scaling);
}

function linearWithLora(x: np.Array, params: LinearParams, lora: LoraHook | undefined, target: 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down'): np.Array {
  const pair = lora?.pairs[target];
  if (!pair || !lora) return linear(x, params);
  return linear(x.ref, params).add(loraDelta(x, pair, lora.scaling));
}

function norm(config: TransformerConfig, params: NormParams, x: np.Array): np.Array {
  return config.norm === 'rmsnorm' ? rmsNorm(x, params, config.normEps) : layerNorm(x, params, config.normEps);
}

/** x / √(mean(x²) + ε) · w over the last axis. */
function rmsNorm(x: np.Array, params: NormParams, eps: number): np.Array {
  const meanSquare = np.square(x.ref).mean(-1, { keepdims: true });
  return x.mul(np.reciprocal(np.sqrt(meanSquare.add(eps)))).mul(params.weight.ref);
}

/** (x − mean) / √(var + ε) · w + b over the last axis (biased variance, as torch). */
function layerNorm(x: np.Array, params: NormParams, eps: number): np.Array {
  const centred = x.sub(x.ref.mean(-1, { keepdims: true }));
  const variance = np.square(centred.ref).mean(-1, { keepdims: true });
  const normed = centred.div(np.sqrt(variance.add(eps))).mul(params.weight.ref);
  return params.bias ? normed.add(params.bias.ref) : normed;
}

function disposeAll(arrays: np.Array[]): void {
  for (const array of arrays) array.dispose();
}

/**
 * Host-side attention bias for a left-padded batch without a cache, [B, T, T]: query t of row b
 * sees keys s with padding[b] ≤ s ≤ t. A padding query sees only itself (its output is
 * ignored; this keeps its softmax well defined).
 */
export function causalAttnBias(leftPadding: readonly number[], length: number): np.Array {
  const data = new Float32Array(leftPadding.length * length * length).fill(MASKED);
  leftPadding.forEach((pad, b) => {
    for (let t = 0; t < length; t++) {
      const row = (b * length + t) * length;
      if (t < pad) data[row + t] = 0;
      else data.fill(0, row + pad, row + t + 1);
    }
  });
  return np.array(data, { shape: [leftPadding.length, length, length] });
}

/** int32 [B, T] positions of a left-padded batch: 0 at the first real token (padding gets 0 too). */
export function leftPaddedPositions(leftPadding: readonly number[], length: number): np.Array {
  const data = new Int32Array(leftPadding.length * length);
  leftPadding.forEach((pad, b) => {
    for (let t = pad; t < length; t++) data[b * length + t] = t - pad;
  });
  return np.array(data, { shape: [leftPadding.length, length], dtype: np.int32 });
}

/** float32 [T, capacity] one-hot: new token t goes to cache slot start + t. */
export function cacheWriteOneHot(start: number, length: number, capacity: number): np.Array {
  if (start + length > capacity) throw new RangeError(`cacheWriteOneHot: tokens ${start}…${start + length - 1} do not fit a cache of capacity ${capacity}`);
  const data = new Float32Array(length * capacity);
  for (let t = 0; t < length; t++) data[t * capacity + start + t] = 1;
  return np.array(data, { shape: [length, capacity] });
}

/**
 * Host-side attention bias with a cache, [B, T, capacity], for a batch whose tokens sit in
 * cache slots padding[b] … start + T − 1 (left padded to a common start): new token t (in slot
 * start + t) sees the real slots up to its own.
 */
export function cachedAttnBias(leftPadding: readonly number[], start: number, length: number, capacity: number): np.Array {
  const data = new Float32Array(leftPadding.length * length * capacity).fill(MASKED);
  leftPadding.forEach((pad, b) => {
    for (let t = 0; t < length; t++) {
      const row = (b * length + t) * capacity;
      const slot = start + t;
      if (slot < pad) data[row + slot] = 0;
      else data.fill(0, row + pad, row + slot + 1);
    }
  });
  return np.array(data, { shape: [leftPadding.length, length, capacity] });
}
