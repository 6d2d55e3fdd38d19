import type { np } from '@rlft/nn';

/**
 * The decoder-only families rlft runs in-process. Each is a point in one parameterised design
 * (norm kind, position kind, MLP kind, attention bias, q/k norm), so one forward serves all.
 */
export type Architecture = 'gpt2' | 'llama' | 'qwen2' | 'qwen3';
export const ARCHITECTURES: readonly Architecture[] = ['gpt2', 'llama', 'qwen2', 'qwen3'];

/** A model's shape and numerics, normalised from (and written back to) Hugging Face's `config.json`. */
export interface TransformerConfig {
  architecture: Architecture;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** Key/value heads (grouped-query attention when < numHeads; equal for multi-head). */
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  /** Longest sequence (learned position table size; RoPE models: max_position_embeddings). */
  maxPositions: number;
  norm: 'layernorm' | 'rmsnorm';
  normEps: number;
  positions: 'learned' | 'rotary';
  ropeTheta: number;
  mlp: 'gelu' | 'swiglu';
  tieEmbeddings: boolean;
  /** Bias on the q/k/v projections (GPT-2, Qwen2). */
  qkvBias: boolean;
  /** Bias on the output and MLP projections (GPT-2). */
  projectionBias: boolean;
  /** Qwen3: RMSNorm over each head of q and k before RoPE. */
  qkNorm: boolean;
  bosTokenId?: number;
  eosTokenIds: number[];
  padTokenId?: number;
}

/** A linear layer as in torch.nn.Linear: y = x·Wᵀ + b, weight [out, in]. */
export type LinearParams = { weight: np.Array; bias?: np.Array };
/** LayerNorm (weight + bias) or RMSNorm (weight only). */
export type NormParams = { weight: np.Array; bias?: np.Array };
export type AttentionParams = {
  q: LinearParams;
  k: LinearParams;
  v: LinearParams;
  o: LinearParams;
  q_norm?: NormParams;
  k_norm?: NormParams;
};
/** GELU MLPs use up (c_fc) and down (c_proj); SwiGLU adds gate: down(silu(gate(x)) · up(x)). */
export type MlpParams = { gate?: LinearParams; up: LinearParams; down: LinearParams };
export type BlockParams = { attn_norm: NormParams; attn: AttentionParams; mlp_norm: NormParams; mlp: MlpParams };
/**
 * Every model's parameters. Dotted paths (`layers.0.attn.q.weight`) are the checkpoint names
 * of rlft's own saves; Hugging Face names are mapped per family when loading and saving.
 * GPT-2's fused c_attn is split into q/k/v on load and fused again on save.
 */
export type TransformerParams = {
  embed: np.Array; // [vocab, hidden]
  position_embed?: np.Array; // [maxPositions, hidden], learned positions only
  layers: BlockParams[];
  final_norm: NormParams;
  lm_head?: np.Array; // [vocab, hidden]; absent when tied to `embed`
};

/** The projections LoRA can adapt, by rlft's names. `qkv` is GPT-2's fused c_attn. */
export type LoraTarget = 'q' | 'k' | 'v' | 'o' | 'qkv' | 'gate' | 'up' | 'down';
/** One low-rank adapter: ΔW = B·A·(alpha/r), A [r, in], B [out, r] (PEFT's lora_A / lora_B). */
export type LoraPair = { A: np.Array; B: np.Array };
export type LoraLayer = { [target in LoraTarget]?: LoraPair };
/** Adapters per layer; the base parameters stay frozen while these train. */
export type LoraParams = { layers: LoraLayer[] };
export interface LoraConfig {
  r: number;
  alpha: number;
  targets: LoraTarget[];
  dropout?: number;
}
