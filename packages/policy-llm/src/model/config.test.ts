import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromHf, configToHf, SCRATCH_SIZES, scratchConfig } from './config.js';
import { parameterCount } from './init.js';

const fixtureConfig = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'models', name, 'config.json'), 'utf8'));

/** Abbreviated real config.json files of the families (values as published). */
const QWEN3_0_6B = {
  architectures: ['Qwen3ForCausalLM'],
  attention_bias: false,
  bos_token_id: 151643,
  eos_token_id: 151645,
  head_dim: 128,
  hidden_act: 'silu',
  hidden_size: 1024,
  intermediate_size: 3072,
  max_position_embeddings: 40960,
  model_type: 'qwen3',
  num_attention_heads: 16,
  num_hidden_layers: 28,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-6,
  rope_scaling: null,
  rope_theta: 1000000,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  vocab_size: 151936,
};
const GPT2 = { activation_function: 'gelu_new', model_type: 'gpt2', n_ctx: 1024, n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024, layer_norm_epsilon: 1e-5, vocab_size: 50257, bos_token_id: 50256, eos_token_id: 50256 };

describe('configFromHf', () => {
  it('reads Qwen3 with its explicit head_dim (≠ hidden/heads) and GQA', () => {
    const config = configFromHf(QWEN3_0_6B);
    expect(config).toMatchObject({ architecture: 'qwen3', hiddenSize: 1024, numHeads: 16, numKvHeads: 8, headDim: 128, qkNorm: true, tieEmbeddings: true, qkvBias: false, ropeTheta: 1e6, eosTokenIds: [151645] });
    // Qwen3-0.6B has about 0.6B parameters (0.44B without the tied embedding).
    expect(parameterCount(config)).toBeGreaterThan(0.59e9);
    expect(parameterCount(config)).toBeLessThan(0.61e9);
  });

  it('reads GPT-2 (124M parameters)', () => {
    const config = configFromHf(GPT2);
    expect(config).toMatchObject({ architecture: 'gpt2', headDim: 64, intermediateSize: 3072, norm: 'layernorm', positions: 'learned', mlp: 'gelu', tieEmbeddings: true, eosTokenIds: [50256] });
    expect(parameterCount(config)).toBe(124_439_808);
  });

  it('reads Qwen2 (q/k/v biases) and Llama (eos as a list)', () => {
    expect(configFromHf(fixtureConfig('qwen2-tiny'))).toMatchObject({ architecture: 'qwen2', qkvBias: true, projectionBias: false, tieEmbeddings: false });
    const llama = configFromHf({ model_type: 'llama', vocab_size: 100, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, eos_token_id: [5, 6], rope_scaling: { rope_type: 'default' } });
    expect(llama).toMatchObject({ numKvHeads: 4, headDim: 16, qkvBias: false, qkNorm: false, eosTokenIds: [5, 6], ropeTheta: 10000 });
  });

  it('names an unsupported model_type and lists the allowed ones', () => {
    expect(() => configFromHf({ model_type: 'mistral' })).toThrow(/model_type "mistral".*allowed: gpt2, llama, qwen2, qwen3/);
    expect(() => configFromHf(42)).toThrow(/JSON object/);
  });

  it('names a missing key', () => {
    const { hidden_size: _dropped, ...rest } = QWEN3_0_6B;
    expect(() => configFromHf(rest)).toThrow(/model_type 'qwen3'\) needs a number 'hidden_size', got undefined/);
  });

  it('rejects RoPE scaling it does not implement', () => {
    expect(() => configFromHf({ ...QWEN3_0_6B, rope_scaling: { rope_type: 'yarn', factor: 4 } })).toThrow(/rope_scaling type "yarn".*only plain RoPE/);
    expect(() => configFromHf({ ...QWEN3_0_6B, rope_scaling: { type: 'linear', factor: 2 } })).toThrow(/"linear"/);
  });
});

describe('configToHf', () => {
  it.each([
    ['qwen3', QWEN3_0_6B],
    ['gpt2', GPT2],
    ['qwen2', fixtureConfig('qwen2-tiny')],
    ['qwen3 fixture', fixtureConfig('qwen3-tiny')],
  ])('round-trips %s', (_name, json) => {
    const config = configFromHf(json);
    const written = configToHf(config);
    expect(configFromHf(JSON.parse(JSON.stringify(written)))).toEqual(config);
    expect(written.torch_dtype).toBe('float32');
    expect(written.model_type).toBe(json.model_type);
  });

  it('names the transformers class', () => {
    expect(configToHf(scratchConfig('tiny', 10)).architectures).toEqual(['Qwen3ForCausalLM']);
    expect(configToHf(configFromHf(GPT2)).architectures).toEqual(['GPT2LMHeadModel']);
  });
});

describe('scratchConfig', () => {
  it('has tiny ≈ 0.1M, small ≈ 1M and medium ≈ 25M parameters', () => {
    expect(SCRATCH_SIZES).toEqual(['tiny', 'small', 'medium']);
    const count = (size: (typeof SCRATCH_SIZES)[number]) => parameterCount(scratchConfig(size, 256));
    expect(count('tiny')).toBeGreaterThan(0.08e6);
    expect(count('tiny')).toBeLessThan(0.15e6);
    expect(count('small')).toBeGreaterThan(0.7e6);
    expect(count('small')).toBeLessThan(1.3e6);
    expect(count('medium')).toBeGreaterThan(22e6);
    expect(count('medium')).toBeLessThan(28e6);
  });

  it('applies overrides and validates them', () => {
    expect(scratchConfig('tiny', 10, { numLayers: 3 }).numLayers).toBe(3);
    expect(() => scratchConfig('tiny', 10, { numKvHeads: 3 })).toThrow(/multiple of numKvHeads 3/);
    expect(() => scratchConfig('huge' as 'tiny', 10)).toThrow(/allowed: tiny, small, medium/);
  });
});
