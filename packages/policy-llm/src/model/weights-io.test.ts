import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, np, treeToHost } from '@rlft/nn';
import { scratchConfig } from './config.js';
import { causalAttnBias, forward, leftPaddedPositions } from './forward.js';
import { initParams } from './init.js';
import { loadTransformerWeights, saveTransformerWeights } from './weights-io.js';
import type { TransformerConfig, TransformerParams } from './types.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'models');
const scratch: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'rlft-weights-'));
  scratch.push(dir);
  return dir;
};

beforeAll(async () => {
  await initEngine('wasm');
});
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function logitsOf(config: TransformerConfig, params: TransformerParams, tokens: number[]): number[][] {
  const T = tokens.length;
  const { logits } = forward(config, params, {
    tokens: np.array(Int32Array.from(tokens), { shape: [1, T], dtype: np.int32 }),
    positions: leftPaddedPositions([0], T),
    attnBias: causalAttnBias([0], T),
  });
  return (logits.js() as number[][][])[0];
}

function maxAbsDifference(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, t) => row.forEach((value, v) => (worst = Math.max(worst, Math.abs(value - b[t][v])))));
  return worst;
}

describe.each(['gpt2-tiny', 'qwen3-tiny', 'qwen2-tiny'])('the %s fixture (independent PyTorch reference)', (name) => {
  it('loads and gives the reference logits', () => {
    const { config, params } = loadTransformerWeights(join(FIXTURES, name));
    const reference = JSON.parse(readFileSync(join(FIXTURES, name, 'reference.json'), 'utf8')) as { tokens: number[][]; logits: number[][][] };
    reference.tokens.forEach((tokens, i) => {
      const got = logitsOf(config, params, tokens);
      expect(got).toHaveLength(tokens.length);
      expect(maxAbsDifference(got, reference.logits[i])).toBeLessThan(1e-4); // measured 2–6e-6 against logits up to ±10
    });
  });
});

describe('loadTransformerWeights', () => {
  it('reads the fixture configs as their families', () => {
    const qwen3 = loadTransformerWeights(join(FIXTURES, 'qwen3-tiny')).config;
    expect(qwen3).toMatchObject({ architecture: 'qwen3', numHeads: 4, numKvHeads: 2, headDim: 16, hiddenSize: 32, qkNorm: true, tieEmbeddings: true, eosTokenIds: [1, 2] });
    const qwen2 = loadTransformerWeights(join(FIXTURES, 'qwen2-tiny'));
    expect(qwen2.config).toMatchObject({ architecture: 'qwen2', qkvBias: true, tieEmbeddings: false, ropeTheta: 1e6 });
    expect(qwen2.params.lm_head?.shape).toEqual([64, 32]);
    expect(qwen2.params.layers[1].attn.k.bias?.shape).toEqual([16]);
  });

  it('names the missing config.json, weights file, shard and tensor', () => {
    const empty = tempDir();
    expect(() => loadTransformerWeights(empty)).toThrow(/config\.json not found: a model directory needs config\.json and model\.safetensors/);
    copyFileSync(join(FIXTURES, 'gpt2-tiny', 'config.json'), join(empty, 'config.json'));
    expect(() => loadTransformerWeights(empty)).toThrow(/model\.safetensors not found \(nor model\.safetensors\.index\.json\)/);

    const sharded = tempDir();
    for (const file of ['config.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors']) copyFileSync(join(FIXTURES, 'qwen2-tiny', file), join(sharded, file));
    expect(() => loadTransformerWeights(sharded)).toThrow(/model-00002-of-00002\.safetensors not found: .*lists it as the shard holding/);

    const missingTensor = tempDir();
    const { config, params } = loadTransformerWeights(join(FIXTURES, 'qwen3-tiny'));
    saveTransformerWeights(missingTensor, { ...config, qkNorm: false, architecture: 'llama' }, params);
    const json = JSON.parse(readFileSync(join(missingTensor, 'config.json'), 'utf8'));
    writeFileSync(join(missingTensor, 'config.json'), JSON.stringify({ ...json, model_type: 'qwen3' }));
    expect(() => loadTransformerWeights(missingTensor)).toThrow(/no tensor 'model\.layers\.0\.self_attn\.q_norm\.weight'/);
  });

  it('names a tensor whose shape disagrees with config.json', () => {
    const dir = tempDir();
    for (const file of ['model.safetensors']) copyFileSync(join(FIXTURES, 'gpt2-tiny', file), join(dir, file));
    const json = JSON.parse(readFileSync(join(FIXTURES, 'gpt2-tiny', 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...json, vocab_size: 65 }));
    expect(() => loadTransformerWeights(dir)).toThrow(/tensor 'wte\.weight' has shape \[64, 32\], but config\.json implies \[65, 32\]/);
  });

  it('rejects a checkpoint with tensors the config does not explain', () => {
    const dir = tempDir();
    const { config, params } = loadTransformerWeights(join(FIXTURES, 'qwen2-tiny'));
    saveTransformerWeights(dir, config, params);
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...json, model_type: 'llama', attention_bias: false }));
    expect(() => loadTransformerWeights(dir)).toThrow(/does not use \(.*self_attn\.q_proj\.bias/);
  });
});

describe('saveTransformerWeights', () => {
  const hostEqual = (a: TransformerParams, b: TransformerParams, tolerance: number): number => {
    const left = treeToHost(a);
    const right = treeToHost(b);
    expect([...right.keys()]).toEqual([...left.keys()]);
    let worst = 0;
    for (const [path, tensor] of left) {
      const other = right.get(path)!;
      expect(other.shape).toEqual(tensor.shape);
      tensor.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - other.data[i]) / Math.max(Math.abs(v), 1e-4))));
    }
    expect(worst).toBeLessThanOrEqual(tolerance);
    return worst;
  };

  it.each(['gpt2-tiny', 'qwen3-tiny', 'qwen2-tiny'])('round-trips %s exactly in F32', (name) => {
    const loaded = loadTransformerWeights(join(FIXTURES, name));
    const dir = tempDir();
    saveTransformerWeights(dir, loaded.config, loaded.params);
    const again = loadTransformerWeights(dir);
    expect(again.config).toEqual(loaded.config);
    hostEqual(loaded.params, again.params, 0);
    // GPT-2 is written with the prefixed names GPT2LMHeadModel uses, q/k/v fused into c_attn.
    if (name === 'gpt2-tiny') {
      expect(readFileSync(join(dir, 'model.safetensors')).toString('latin1')).toContain('transformer.h.1.attn.c_attn.weight');
    }
  });

  it('writes BF16 (rounding each weight to 8 significant bits) and F16 that load back', () => {
    const config = scratchConfig('tiny', 40, { tieEmbeddings: false });
    const params = initParams(config, 7);
    // Round to nearest: relative error at most half a unit in the last place (2⁻⁸ for BF16's 8 significant bits, 2⁻¹¹ for F16's 11; F16 subnormals below 1e-4 are within that of 1e-4).
    for (const [dtype, tolerance, torchDtype] of [['BF16', 2 ** -8, 'bfloat16'], ['F16', 2 ** -11, 'float16']] as const) {
      const dir = tempDir();
      saveTransformerWeights(dir, config, params, { dtype });
      expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).torch_dtype).toBe(torchDtype);
      const again = loadTransformerWeights(dir);
      expect(hostEqual(params, again.params, tolerance)).toBeGreaterThan(tolerance / 4);
    }
  });

  it('shards by size with an index, and a later single-file save replaces the index', () => {
    const config = scratchConfig('tiny', 40);
    const params = initParams(config, 8);
    const dir = tempDir();
    saveTransformerWeights(dir, config, params, { maxShardBytes: 60_000 });
    const files = readdirSync(dir).sort();
    expect(files).toContain('model.safetensors.index.json');
    expect(files.filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f)).length).toBeGreaterThan(2);
    expect(existsSync(join(dir, 'model.safetensors'))).toBe(false);
    hostEqual(params, loadTransformerWeights(dir).params, 0);

    saveTransformerWeights(dir, config, params);
    expect(existsSync(join(dir, 'model.safetensors.index.json'))).toBe(false);
    hostEqual(params, loadTransformerWeights(dir).params, 0);
  });
});
