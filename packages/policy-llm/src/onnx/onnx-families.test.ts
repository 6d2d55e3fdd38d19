import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine, treeFromHost } from '@rlft/nn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, type GenerationRequest } from '../backend.js';
import { InProcessBackend } from '../in-process-backend.js';
import { disposeLanguageModel, saveLanguageModel, scratchLanguageModel } from '../language-model.js';
import type { TransformerConfig } from '../model/types.js';
import { exportOnnxModelDir } from './model-dir.js';
import { OnnxBackend } from './onnx-backend.js';
import { randomHostWeights } from './random-weights.js';

/**
 * transformers.js reads each family's config.json its own way (head counts, head size, which
 * inputs to feed): every family's exported directory must generate what rlft generates.
 */

const SHAPE = { hiddenSize: 32, numHeads: 4, headDim: 8, intermediateSize: 48, numLayers: 2 };
const FAMILIES: Record<string, Partial<TransformerConfig>> = {
  llama: { ...SHAPE, architecture: 'llama', numKvHeads: 2, qkNorm: false, tieEmbeddings: false },
  qwen2: { ...SHAPE, architecture: 'qwen2', numKvHeads: 1, qkNorm: false, qkvBias: true, tieEmbeddings: true },
  gpt2: {
    ...SHAPE,
    architecture: 'gpt2',
    numKvHeads: 4,
    maxPositions: 64,
    norm: 'layernorm',
    normEps: 1e-5,
    positions: 'learned',
    mlp: 'gelu',
    qkvBias: true,
    projectionBias: true,
    qkNorm: false,
  },
};

const REQUESTS: GenerationRequest[] = [
  { messages: [{ role: 'user', content: 'obs 1 2' }], assistantPrefix: '<action>' },
  { messages: [{ role: 'user', content: 'a longer observation: 0.5, -0.25' }] },
];

const dirs: string[] = [];
beforeAll(async () => {
  await initEngine();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(Object.entries(FAMILIES))('an exported %s model directory', (_name, overrides) => {
  it('generates in transformers.js what the in-process backend generates (greedy and seeded)', async () => {
    const scratch = scratchLanguageModel('tiny', 0, overrides);
    const model = { ...scratch, params: treeFromHost(scratch.params, randomHostWeights(scratch.config, 11, 0.3)) };
    disposeLanguageModel(scratch);
    const dir = mkdtempSync(join(tmpdir(), 'rlft-onnx-family-'));
    dirs.push(dir);
    saveLanguageModel(dir, model);
    exportOnnxModelDir(dir);
    const onnx = await OnnxBackend.load(dir);
    const inProcess = new InProcessBackend(model);
    try {
      for (const sampling of [
        { ...DEFAULT_SAMPLING, maxNewTokens: 8 },
        { ...DEFAULT_SAMPLING, maxNewTokens: 8, temperature: 1, topP: 0.9, seed: 3 },
      ]) {
        const [got, want] = [await onnx.generate(REQUESTS, sampling), await inProcess.generate(REQUESTS, sampling)];
        expect(got.map((c) => [c.text, c.finishReason, c.tokenCount])).toEqual(want.map((c) => [c.text, c.finishReason, c.tokenCount]));
      }
    } finally {
      await onnx.close();
      inProcess.generator.dispose();
      disposeLanguageModel(model);
    }
  });
});
