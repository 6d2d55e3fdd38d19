import { beforeAll, describe, expect, it } from 'vitest';
import { countParameters, initEngine, treeToHost } from '@rlft/nn';
import { scratchConfig } from './config.js';
import { INIT_STD, initParams, parameterCount } from './init.js';

beforeAll(async () => {
  await initEngine('wasm');
});

describe('initParams', () => {
  const config = scratchConfig('tiny', 64, { tieEmbeddings: false });

  it('is deterministic in the seed', () => {
    const a = treeToHost(initParams(config, 3));
    const b = treeToHost(initParams(config, 3));
    const c = treeToHost(initParams(config, 4));
    expect([...a.get('layers.1.mlp.down.weight')!.data]).toEqual([...b.get('layers.1.mlp.down.weight')!.data]);
    expect([...a.get('embed')!.data]).not.toEqual([...c.get('embed')!.data]);
  });

  it("follows Hugging Face's _init_weights: N(0, 0.02) weights, unit norms, the counted shapes", () => {
    const params = initParams(config, 1);
    expect(countParameters(params)).toBe(parameterCount(config));
    const host = treeToHost(params);
    const weights = host.get('layers.0.attn.q.weight')!.data;
    const mean = weights.reduce((s, v) => s + v, 0) / weights.length;
    const std = Math.sqrt(weights.reduce((s, v) => s + (v - mean) ** 2, 0) / weights.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeGreaterThan(INIT_STD * 0.95);
    expect(std).toBeLessThan(INIT_STD * 1.05);
    expect(new Set(host.get('layers.0.attn.q_norm.weight')!.data)).toEqual(new Set([1]));
    expect(host.get('lm_head')!.shape).toEqual([64, 64]);
  });

  it('gives GPT-2 zero biases and LayerNorm biases', () => {
    const gpt2 = { ...config, architecture: 'gpt2' as const, numKvHeads: 4, maxPositions: 16, norm: 'layernorm' as const, positions: 'learned' as const, mlp: 'gelu' as const, qkvBias: true, projectionBias: true, qkNorm: false };
    const host = treeToHost(initParams(gpt2, 1));
    expect(new Set(host.get('layers.0.attn.q.bias')!.data)).toEqual(new Set([0]));
    expect(new Set(host.get('final_norm.bias')!.data)).toEqual(new Set([0]));
    expect(host.get('position_embed')!.shape).toEqual([16, 64]);
    expect(host.has('layers.0.mlp.gate.weight')).toBe(false);
  });
});
