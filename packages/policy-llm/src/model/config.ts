import { RlftError } from '@rlft/core';
import { ARCHITECTURES, type Architecture, type TransformerConfig } from './types.js';

/**
 * Model configs: reading and writing Hugging Face's `config.json` for the four families, and
 * the from-scratch presets (Llama/Qwen3-style: RMSNorm, RoPE, SwiGLU, tied embeddings).
 */

export class ModelConfigError extends RlftError {
  constructor(message: string) {
    super('MODEL_CONFIG', message);
  }
}

type Json = Record<string, unknown>;

function requireNumber(json: Json, key: string, modelType: string): number {
  const value = json[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ModelConfigError(`config.json (model_type '${modelType}') needs a number '${key}', got ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalNumber(json: Json, key: string, fallback: number, modelType: string): number {
  return json[key] === undefined || json[key] === null ? fallback : requireNumber(json, key, modelType);
}

function optionalTokenId(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function tokenIdList(value: unknown): number[] {
  if (Array.isArray(value)) return value.filter((id): id is number => typeof id === 'number' && Number.isInteger(id));
  const single = optionalTokenId(value);
  return single === undefined ? [] : [single];
}

function checkRopeScaling(json: Json, modelType: string): void {
  const scaling = json.rope_scaling;
  if (scaling === undefined || scaling === null) return;
  const kind = (scaling as Json).rope_type ?? (scaling as Json).type;
  if (kind === 'default') return;
  throw new ModelConfigError(
    `config.json (model_type '${modelType}') asks for rope_scaling type ${JSON.stringify(kind)}, which rlft does not implement; only plain RoPE (no rope_scaling, or type 'default') is supported`,
  );
}

const GPT2_ACTIVATIONS = ['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast'];
const SWIGLU_ACTIVATIONS = ['silu', 'swish'];

function gpt2FromHf(json: Json): TransformerConfig {
  const activation = json.activation_function ?? 'gelu_new';
  if (typeof activation !== 'string' || !GPT2_ACTIVATIONS.includes(activation)) {
    throw new ModelConfigError(`config.json (model_type 'gpt2'): activation_function ${JSON.stringify(activation)} is not supported; allowed: ${GPT2_ACTIVATIONS.join(', ')}`);
  }
  const hiddenSize = requireNumber(json, 'n_embd', 'gpt2');
  const numHeads = requireNumber(json, 'n_head', 'gpt2');
  const eos = tokenIdList(json.eos_token_id);
  return {
    architecture: 'gpt2',
    vocabSize: requireNumber(json, 'vocab_size', 'gpt2'),
    hiddenSize,
    numLayers: requireNumber(json, 'n_layer', 'gpt2'),
    numHeads,
    numKvHeads: numHeads,
    headDim: hiddenSize / numHeads,
    intermediateSize: optionalNumber(json, 'n_inner', 4 * hiddenSize, 'gpt2'),
    maxPositions: requireNumber(json, 'n_positions', 'gpt2'),
    norm: 'layernorm',
    normEps: optionalNumber(json, 'layer_norm_epsilon', 1e-5, 'gpt2'),
    positions: 'learned',
    ropeTheta: 0,
    mlp: 'gelu',
    tieEmbeddings: json.tie_word_embeddings !== false,
    qkvBias: true,
    projectionBias: true,
    qkNorm: false,
    bosTokenId: optionalTokenId(json.bos_token_id),
    eosTokenIds: eos,
    padTokenId: optionalTokenId(json.pad_token_id),
  };
}

function llamaFamilyFromHf(json: Json, architecture: Exclude<Architecture, 'gpt2'>): TransformerConfig {
  checkRopeScaling(json, architecture);
  const activation = json.hidden_act ?? 'silu';
  if (typeof activation !== 'string' || !SWIGLU_ACTIVATIONS.includes(activation)) {
    throw new ModelConfigError(`config.json (model_type '${architecture}'): hidden_act ${JSON.stringify(activation)} is not supported; allowed: ${SWIGLU_ACTIVATIONS.join(', ')}`);
  }
  const hiddenSize = requireNumber(json, 'hidden_size', architecture);
  const numHeads = requireNumber(json, 'num_attention_heads', architecture);
  const numKvHeads = optionalNumber(json, 'num_key_value_heads', numHeads, architecture);
  const headDim = optionalNumber(json, 'head_dim', hiddenSize / numHeads, architecture);
  if (!Number.isInteger(headDim) || numHeads % numKvHeads !== 0) {
    throw new ModelConfigError(
      `config.json (model_type '${architecture}'): head_dim ${headDim} must be an integer and num_attention_heads ${numHeads} a multiple of num_key_value_heads ${numKvHeads}`,
    );
  }
  const attentionBias = json.attention_bias === true || architecture === 'qwen2';
  return {
    architecture,
    vocabSize: requireNumber(json, 'vocab_size', architecture),
    hiddenSize,
    numLayers: requireNumber(json, 'num_hidden_layers', architecture),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: requireNumber(json, 'intermediate_size', architecture),
    maxPositions: optionalNumber(json, 'max_position_embeddings', 2048, architecture),
    norm: 'rmsnorm',
    normEps: optionalNumber(json, 'rms_norm_eps', 1e-6, architecture),
    positions: 'rotary',
    ropeTheta: optionalNumber(json, 'rope_theta', 10000, architecture),
    mlp: 'swiglu',
    tieEmbeddings: json.tie_word_embeddings === true,
    qkvBias: attentionBias,
    projectionBias: false,
    qkNorm: architecture === 'qwen3',
    bosTokenId: optionalTokenId(json.bos_token_id),
    eosTokenIds: tokenIdList(json.eos_token_id),
    padTokenId: optionalTokenId(json.pad_token_id),
  };
}

/** A {@link TransformerConfig} from a parsed Hugging Face `config.json`. */
export function configFromHf(json: unknown): TransformerConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelConfigError(`config.json must hold a JSON object, got ${JSON.stringify(json)?.slice(0, 80)}`);
  }
  const record = json as Json;
  const modelType = record.model_type;
  if (modelType === 'gpt2') return validateConfig(gpt2FromHf(record));
  if (modelType === 'llama' || modelType === 'qwen2' || modelType === 'qwen3') return validateConfig(llamaFamilyFromHf(record, modelType));
  throw new ModelConfigError(`config.json has model_type ${JSON.stringify(modelType)}, which rlft cannot run in-process; allowed: ${ARCHITECTURES.join(', ')}`);
}

const HF_ARCHITECTURE_CLASS: Record<Architecture, string> = {
  gpt2: 'GPT2LMHeadModel',
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  qwen3: 'Qwen3ForCausalLM',
};

function tokenIdsToHf(config: TransformerConfig): Json {
  const eos = config.eosTokenIds.length === 1 ? config.eosTokenIds[0] : config.eosTokenIds.length ? config.eosTokenIds : undefined;
  const ids: Json = {};
  if (config.bosTokenId !== undefined) ids.bos_token_id = config.bosTokenId;
  if (eos !== undefined) ids.eos_token_id = eos;
  if (config.padTokenId !== undefined) ids.pad_token_id = config.padTokenId;
  return ids;
}

/**
 * A Hugging Face `config.json` for the config, loadable by transformers' AutoModelForCausalLM.
 * Features a family cannot express (e.g. GPT-2 without biases) are rejected.
 */
export function configToHf(config: TransformerConfig): Record<string, unknown> {
  validateConfig(config);
  const common = { architectures: [HF_ARCHITECTURE_CLASS[config.architecture]], model_type: config.architecture, torch_dtype: 'float32', vocab_size: config.vocabSize, ...tokenIdsToHf(config) };
  if (config.architecture === 'gpt2') {
    return {
      ...common,
      n_embd: config.hiddenSize,
      n_layer: config.numLayers,
      n_head: config.numHeads,
      n_inner: config.intermediateSize,
      n_positions: config.maxPositions,
      n_ctx: config.maxPositions,
      layer_norm_epsilon: config.normEps,
      activation_function: 'gelu_new',
      tie_word_embeddings: config.tieEmbeddings,
    };
  }
  return {
    ...common,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads,
    head_dim: config.headDim,
    intermediate_size: config.intermediateSize,
    hidden_act: 'silu',
    max_position_embeddings: config.maxPositions,
    rms_norm_eps: config.normEps,
    rope_theta: config.ropeTheta,
    tie_word_embeddings: config.tieEmbeddings,
    attention_bias: config.qkvBias,
    ...(config.architecture === 'qwen2' ? { use_sliding_window: false } : {}),
  };
}

/** Shape checks shared by every constructor of configs; throws a {@link ModelConfigError} naming the field. */
export function validateConfig(config: TransformerConfig): TransformerConfig {
  const positive: (keyof TransformerConfig)[] = ['vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'intermediateSize', 'maxPositions'];
  for (const key of positive) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ModelConfigError(`model config: ${key} must be an integer ≥ 1, got ${String(value)}`);
  }
  if (!ARCHITECTURES.includes(config.architecture)) throw new ModelConfigError(`model config: architecture '${config.architecture}' is not one of ${ARCHITECTURES.join(', ')}`);
  if (config.numHeads % config.numKvHeads !== 0) throw new ModelConfigError(`model config: numHeads ${config.numHeads} must be a multiple of numKvHeads ${config.numKvHeads}`);
  if (config.positions === 'rotary' && config.headDim % 2 !== 0) throw new ModelConfigError(`model config: rotary positions need an even headDim, got ${config.headDim}`);
  if (config.architecture === 'gpt2') {
    const gpt2Shape = config.norm === 'layernorm' && config.positions === 'learned' && config.mlp === 'gelu' && config.qkvBias && config.projectionBias && !config.qkNorm;
    if (!gpt2Shape || config.numKvHeads !== config.numHeads || config.headDim * config.numHeads !== config.hiddenSize) {
      throw new ModelConfigError('model config: a gpt2 model has LayerNorm, learned positions, a GELU MLP, all biases, multi-head attention and headDim·numHeads = hiddenSize');
    }
  } else if (config.norm !== 'rmsnorm' || config.positions !== 'rotary' || config.mlp !== 'swiglu' || config.projectionBias) {
    throw new ModelConfigError(`model config: a ${config.architecture} model has RMSNorm, rotary positions, a SwiGLU MLP and no output/MLP biases`);
  }
  if (!(config.normEps > 0)) throw new ModelConfigError(`model config: normEps must be > 0, got ${config.normEps}`);
  return config;
}

/** From-scratch model sizes: for tests, demos and the benchmark. */
export type ScratchSize = 'tiny' | 'small' | 'medium';
export const SCRATCH_SIZES: readonly ScratchSize[] = ['tiny', 'small', 'medium'];

const SCRATCH_SHAPES: Record<ScratchSize, { hiddenSize: number; numLayers: number; numHeads: number; numKvHeads: number; intermediateSize: number }> = {
  // ≈ 0.1M parameters with a small vocabulary (d64, 2 layers).
  tiny: { hiddenSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 192 },
  // ≈ 1M.
  small: { hiddenSize: 128, numLayers: 4, numHeads: 4, numKvHeads: 2, intermediateSize: 384 },
  // ≈ 25M.
  medium: { hiddenSize: 512, numLayers: 8, numHeads: 8, numKvHeads: 4, intermediateSize: 1536 },
};

/**
 * A from-scratch Qwen3-style config (RMSNorm, RoPE, SwiGLU, q/k norm, GQA, tied embeddings),
 * saved and loaded as model_type qwen3. `overrides` replace any field.
 */
export function scratchConfig(size: ScratchSize, vocabSize: number, overrides: Partial<TransformerConfig> = {}): TransformerConfig {
  const shape = SCRATCH_SHAPES[size];
  if (!shape) throw new ModelConfigError(`Unknown model size '${String(size)}'; allowed: ${SCRATCH_SIZES.join(', ')}`);
  return validateConfig({
    architecture: 'qwen3',
    vocabSize,
    ...shape,
    headDim: shape.hiddenSize / shape.numHeads,
    maxPositions: 2048,
    norm: 'rmsnorm',
    normEps: 1e-6,
    positions: 'rotary',
    ropeTheta: 10000,
    mlp: 'swiglu',
    tieEmbeddings: true,
    qkvBias: false,
    projectionBias: false,
    qkNorm: true,
    eosTokenIds: [],
    ...overrides,
  });
}
