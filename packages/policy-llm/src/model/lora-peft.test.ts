import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { disposeTree, initEngine, mapLeaves, np, readSafetensorsFile, toFloat32, writeSafetensorsFile } from '@rlft/nn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLora } from './lora.js';
import { loadPeftAdapter, peftTargetModules, savePeftAdapter } from './lora-peft.js';
import type { LoraConfig, LoraParams, TransformerConfig } from './types.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/lora/', import.meta.url));
let scratch: string;

beforeAll(async () => {
  await initEngine('wasm');
  scratch = mkdtempSync(join(tmpdir(), 'rlft-lora-peft-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The shapes tools/write_peft_lora_fixtures.py wrote its adapters for. */
function tinyConfig(architecture: 'llama' | 'gpt2', overrides: Partial<TransformerConfig> = {}): TransformerConfig {
  const gpt2 = architecture === 'gpt2';
  return {
    architecture,
    vocabSize: 16,
    hiddenSize: 8,
    numLayers: 2,
    numHeads: 2,
    numKvHeads: gpt2 ? 2 : 1,
    headDim: 4,
    intermediateSize: gpt2 ? 32 : 12,
    maxPositions: 32,
    norm: gpt2 ? 'layernorm' : 'rmsnorm',
    normEps: 1e-5,
    positions: gpt2 ? 'learned' : 'rotary',
    ropeTheta: 10000,
    mlp: gpt2 ? 'gelu' : 'swiglu',
    tieEmbeddings: gpt2,
    qkvBias: gpt2,
    projectionBias: gpt2,
    qkNorm: false,
    eosTokenIds: [0],
    ...overrides,
  };
}

/** The fixture script's values: ((7·k + Σ charCodes(name)) mod 17 − 8) / 16. */
function fixtureValues(name: string, count: number): number[] {
  const seed = [...name].reduce((sum, c) => sum + c.charCodeAt(0), 0);
  return Array.from({ length: count }, (_, k) => (((7 * k + seed) % 17) - 8) / 16);
}

function host(array: np.Array): { shape: number[]; values: number[] } {
  return { shape: [...array.shape], values: Array.from(array.ref.dataSync() as ArrayLike<number>) };
}

/** A copy of a fixture with its adapter_config.json edited. */
function editedFixture(name: string, edit: (fields: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(join(scratch, `${name}-`));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  const path = join(dir, 'adapter_config.json');
  const fields = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(fields);
  writeFileSync(path, JSON.stringify(fields));
  return dir;
}

/** Fresh adapters with B set to non-zero values, so a round trip carries information in both matrices. */
function trainedLikeLora(config: TransformerConfig, loraConfig: LoraConfig, seed: number): LoraParams {
  const lora = createLora(config, loraConfig, seed);
  let i = 0;
  const out = mapLeaves(lora, (leaf) => np.ones(leaf.shape).mul(0.01 * ++i).add(leaf.ref));
  disposeTree(lora);
  return out;
}

describe('loadPeftAdapter on adapters in PEFT layout written by an independent script', () => {
  it('reads a Llama adapter (q, v, down; BF16 A, F16 B; names without the adapter name)', () => {
    const { lora, loraConfig, baseModelNameOrPath } = loadPeftAdapter(join(FIXTURES, 'llama-tiny'), tinyConfig('llama'));
    expect(loraConfig).toEqual({ r: 2, alpha: 4, targets: ['q', 'v', 'down'], dropout: 0.1 });
    expect(baseModelNameOrPath).toBe('tiny-llama');
    expect(lora.layers).toHaveLength(2);
    expect(Object.keys(lora.layers[0]).sort()).toEqual(['down', 'q', 'v']);
    const vB = host(lora.layers[1].v!.B);
    expect(vB.shape).toEqual([4, 2]);
    expect(vB.values).toEqual(fixtureValues('base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight', 8));
    const downA = host(lora.layers[0].down!.A);
    expect(downA.shape).toEqual([2, 12]);
    expect(downA.values).toEqual(fixtureValues('base_model.model.model.layers.0.mlp.down_proj.lora_A.weight', 24));
    disposeTree(lora);
  });

  it('reads a GPT-2 adapter (fused c_attn and both c_proj; `.default` names; F32)', () => {
    const { lora, loraConfig } = loadPeftAdapter(join(FIXTURES, 'gpt2-tiny'), tinyConfig('gpt2'));
    // "c_proj" matches attn.c_proj and mlp.c_proj, as PEFT's suffix matching does.
    expect(loraConfig).toEqual({ r: 4, alpha: 8, targets: ['qkv', 'o', 'down'], dropout: 0 });
    const qkvB = host(lora.layers[1].qkv!.B);
    expect(qkvB.shape).toEqual([24, 4]);
    expect(qkvB.values).toEqual(fixtureValues('base_model.model.transformer.h.1.attn.c_attn.lora_B.default.weight', 96));
    const downA = host(lora.layers[0].down!.A);
    expect(downA.shape).toEqual([4, 32]);
    expect(downA.values).toEqual(fixtureValues('base_model.model.transformer.h.0.mlp.c_proj.lora_A.default.weight', 128));
    disposeTree(lora);
  });

  it('reads tensors of an adapter made on the base class (GPT2Model: no `transformer.` prefix)', () => {
    const dir = mkdtempSync(join(scratch, 'gpt2-base-class-'));
    cpSync(join(FIXTURES, 'gpt2-tiny', 'adapter_config.json'), join(dir, 'adapter_config.json'));
    const { tensors } = readSafetensorsFile(join(FIXTURES, 'gpt2-tiny', 'adapter_model.safetensors'));
    writeSafetensorsFile(join(dir, 'adapter_model.safetensors'), new Map([...tensors].map(([name, tensor]) => [name.replace('.transformer.', '.'), tensor])));
    const { lora } = loadPeftAdapter(dir, tinyConfig('gpt2'));
    expect(host(lora.layers[1].o!.A).values).toEqual(fixtureValues('base_model.model.transformer.h.1.attn.c_proj.lora_A.default.weight', 32));
    disposeTree(lora);
  });
});

describe('savePeftAdapter', () => {
  it('round-trips Llama adapters with grouped-query k/v and every projection', () => {
    const config = tinyConfig('llama');
    const loraConfig: LoraConfig = { r: 3, alpha: 6, targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'], dropout: 0.05 };
    const lora = trainedLikeLora(config, loraConfig, 1);
    const dir = join(scratch, 'llama-roundtrip');
    savePeftAdapter(dir, { config, lora, loraConfig, baseModelNameOrPath: 'org/model' });

    const written = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    expect(written).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 3, lora_alpha: 6, lora_dropout: 0.05, bias: 'none', fan_in_fan_out: false, use_rslora: false, use_dora: false });
    expect(written.target_modules).toEqual(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']);
    expect(written.base_model_name_or_path).toBe('org/model');
    const { tensors, metadata } = readSafetensorsFile(join(dir, 'adapter_model.safetensors'));
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.get('base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight')?.shape).toEqual([4, 3]);
    expect(tensors.get('base_model.model.model.layers.0.mlp.down_proj.lora_A.weight')?.shape).toEqual([3, 12]);
    expect(tensors.size).toBe(2 * 7 * 2);

    const loaded = loadPeftAdapter(dir, config);
    expect(loaded.loraConfig).toEqual(loraConfig);
    expect(loaded.baseModelNameOrPath).toBe('org/model');
    for (const layer of [0, 1]) {
      for (const target of loraConfig.targets) {
        for (const matrix of ['A', 'B'] as const) {
          expect(host(loaded.lora.layers[layer][target]![matrix])).toEqual(host(lora.layers[layer][target]![matrix]));
        }
      }
    }
    disposeTree(lora);
    disposeTree(loaded.lora);
  });

  it('names GPT-2 modules so that only the chosen c_proj is adapted, and marks Conv1D fan_in_fan_out', () => {
    const config = tinyConfig('gpt2');
    expect(peftTargetModules('gpt2', ['qkv', 'o', 'up', 'down'])).toEqual(['c_attn', 'attn.c_proj', 'c_fc', 'mlp.c_proj']);
    const loraConfig: LoraConfig = { r: 2, alpha: 2, targets: ['o', 'up'] };
    const lora = trainedLikeLora(config, loraConfig, 2);
    const dir = join(scratch, 'gpt2-roundtrip');
    savePeftAdapter(dir, { config, lora, loraConfig, dtype: 'BF16' });
    const written = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    expect(written.target_modules).toEqual(['attn.c_proj', 'c_fc']);
    expect(written.fan_in_fan_out).toBe(true);
    expect(written.base_model_name_or_path).toBeNull();
    const { tensors } = readSafetensorsFile(join(dir, 'adapter_model.safetensors'));
    const upA = tensors.get('base_model.model.transformer.h.1.mlp.c_fc.lora_A.weight')!;
    expect(upA.dtype).toBe('BF16');
    expect(upA.shape).toEqual([2, 8]);

    const loaded = loadPeftAdapter(dir, config);
    expect(loaded.loraConfig).toEqual({ ...loraConfig, dropout: 0 });
    const original = host(lora.layers[1].up!.A).values;
    const reloaded = host(loaded.lora.layers[1].up!.A).values;
    expect(reloaded).toEqual(Array.from(toFloat32(upA)));
    reloaded.forEach((value, i) => expect(Math.abs(value - original[i])).toBeLessThanOrEqual(Math.abs(original[i]) / 256));
    disposeTree(lora);
    disposeTree(loaded.lora);
  });
});

describe('loadPeftAdapter errors', () => {
  const llama = tinyConfig('llama');

  it('names a missing file', () => {
    expect(() => loadPeftAdapter(join(scratch, 'nowhere'), llama)).toThrow(/No adapter_config\.json in .*nowhere/);
    const dir = mkdtempSync(join(scratch, 'config-only-'));
    cpSync(join(FIXTURES, 'llama-tiny', 'adapter_config.json'), join(dir, 'adapter_config.json'));
    writeFileSync(join(dir, 'adapter_model.bin'), '');
    expect(() => loadPeftAdapter(dir, llama)).toThrow(/No adapter_model\.safetensors .*safe_serialization=True/);
  });

  it.each([
    ['a regex target_modules', (f: Record<string, unknown>) => (f.target_modules = '.*\\.(q|v)_proj'), /target_modules as a pattern/],
    ['DoRA', (f: Record<string, unknown>) => (f.use_dora = true), /use_dora/],
    ['rsLoRA', (f: Record<string, unknown>) => (f.use_rslora = true), /use_rslora/],
    ['layers_to_transform', (f: Record<string, unknown>) => (f.layers_to_transform = [0]), /layers_to_transform \[0\]/],
    ['rank_pattern', (f: Record<string, unknown>) => (f.rank_pattern = { q_proj: 4 }), /rank_pattern/],
    ['alpha_pattern', (f: Record<string, unknown>) => (f.alpha_pattern = { q_proj: 4 }), /alpha_pattern/],
    ['trained biases', (f: Record<string, unknown>) => (f.bias = 'lora_only'), /bias "lora_only"/],
    ['modules_to_save', (f: Record<string, unknown>) => (f.modules_to_save = ['lm_head']), /modules_to_save/],
    ['another PEFT method', (f: Record<string, unknown>) => (f.peft_type = 'IA3'), /peft_type is "IA3"; only "LORA"/],
    ['a module rlft cannot adapt', (f: Record<string, unknown>) => (f.target_modules = ['q_proj', 'lm_head']), /'lm_head' name no projection .*supported: q_proj, k_proj/],
  ])('refuses %s with a clear error', (_what, edit, message) => {
    expect(() => loadPeftAdapter(editedFixture('llama-tiny', edit), llama)).toThrow(message);
  });

  it('names the tensor whose shape does not fit the model', () => {
    expect(() => loadPeftAdapter(join(FIXTURES, 'llama-tiny'), { ...llama, hiddenSize: 16 })).toThrow(
      /'base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_A\.weight' has shape \[2, 8\], expected \[2, 16\]/,
    );
  });

  it('names a missing tensor and leftover tensors', () => {
    expect(() => loadPeftAdapter(join(FIXTURES, 'llama-tiny'), { ...llama, numLayers: 3 })).toThrow(/no tensor 'base_model\.model\.model\.layers\.2\.self_attn\.q_proj\.lora_A\.weight'/);
    expect(() => loadPeftAdapter(join(FIXTURES, 'llama-tiny'), { ...llama, numLayers: 1 })).toThrow(/6 tensors match no adapter .*layers\.1\./);
  });
});
