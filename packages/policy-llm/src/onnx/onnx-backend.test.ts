import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine, treeFromHost } from '@rlft/nn';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, type GenerationRequest } from '../backend.js';
import { argmax } from '../generation/sampling.js';
import { InProcessBackend } from '../in-process-backend.js';
import { disposeLanguageModel, saveLanguageModel, scratchLanguageModel, type LanguageModel } from '../language-model.js';
import { builtinTokenizer } from '../text/builtin-tokenizer.js';
import { ChatTemplate } from '../text/chat-template.js';
import { DECODER_IO } from './export-transformer.js';
import { exportOnnxModelDir, ONNX_DATA_FILE, ONNX_MODEL_FILE } from './model-dir.js';
import { OnnxBackend, OnnxBackendError } from './onnx-backend.js';
import { onnxGenerationSpeed } from './onnx-speed.js';
import { randomHostWeights } from './random-weights.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'models');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlft-onnx-'));
  dirs.push(dir);
  return dir;
};

let modelDir: string;
let model: LanguageModel;
let backend: OnnxBackend;
let session: ort.InferenceSession;

beforeAll(async () => {
  await initEngine();
  // A tiny scratch model with large random weights, so that greedy text is not one repeated character.
  const scratch = scratchLanguageModel('tiny', 0, { hiddenSize: 32, numHeads: 4, numKvHeads: 2, headDim: 8, intermediateSize: 48, numLayers: 2 });
  const params = treeFromHost(scratch.params, randomHostWeights(scratch.config, 3, 0.3));
  disposeLanguageModel(scratch);
  model = { ...scratch, params };
  modelDir = tempDir();
  saveLanguageModel(modelDir, model);
  exportOnnxModelDir(modelDir);
  backend = await OnnxBackend.load(modelDir);
  session = await ort.InferenceSession.create(join(modelDir, ONNX_MODEL_FILE));
});

afterAll(async () => {
  await backend?.close();
  await session?.release();
  if (model) disposeLanguageModel(model);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Greedy continuation by full recomputation (no cache, no padding) with onnxruntime directly. */
async function greedyByRecomputation(prompt: number[], newTokens: number): Promise<number[]> {
  const ids = [...prompt];
  for (let step = 0; step < newTokens; step++) {
    const n = ids.length;
    const feeds: Record<string, ort.Tensor> = {
      [DECODER_IO.inputIds]: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      [DECODER_IO.attentionMask]: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      [DECODER_IO.positionIds]: new ort.Tensor('int64', BigInt64Array.from(ids.map((_, i) => BigInt(i))), [1, n]),
      [DECODER_IO.numLogitsToKeep]: new ort.Tensor('int64', BigInt64Array.of(1n), []),
    };
    for (let i = 0; i < 2; i++) {
      feeds[DECODER_IO.pastKey(i)] = new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, 8]);
      feeds[DECODER_IO.pastValue(i)] = new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, 8]);
    }
    const logits = (await session.run(feeds))[DECODER_IO.logits].data as Float32Array;
    ids.push(argmax(logits));
  }
  return ids.slice(prompt.length);
}

const REQUESTS: GenerationRequest[] = [
  { messages: [{ role: 'user', content: 'x=1' }], assistantPrefix: '<action>' },
  { messages: [{ role: 'user', content: 'a much longer observation, 0.25 0.5' }] },
];

describe('OnnxBackend', () => {
  it('generates greedily the tokens that recomputing argmax with onnxruntime gives (left-padded batch, KV cache)', async () => {
    const completions = await backend.generate(REQUESTS, { ...DEFAULT_SAMPLING, maxNewTokens: 8 });
    const tokenizer = builtinTokenizer();
    const template = ChatTemplate.of(tokenizer);
    for (const [i, request] of REQUESTS.entries()) {
      // rlft's own template rendering and tokenizer, independent of transformers.js'.
      const text = template.render(request.messages, { addGenerationPrompt: true, ...(request.assistantPrefix ? { assistantPrefix: request.assistantPrefix } : {}) });
      expect(backend.render(request.messages) + (request.assistantPrefix ?? '')).toBe(text);
      const prompt = tokenizer.encode(text);
      const want = await greedyByRecomputation(prompt, 8);
      const eos = want.findIndex((id) => tokenizer.eosTokenIds.includes(id));
      const kept = eos >= 0 ? want.slice(0, eos + 1) : want;
      expect(completions[i].tokenCount).toBe(kept.length);
      expect(completions[i].text).toBe(tokenizer.decode(eos >= 0 ? kept.slice(0, -1) : kept));
      expect(completions[i].finishReason).toBe(eos >= 0 ? 'stop' : 'length');
      expect(completions[i].logprobs).toHaveLength(kept.length);
      for (const lp of completions[i].logprobs ?? []) expect(lp).toBeLessThanOrEqual(0);
    }
  });

  it('completes raw prompts as generate does for the rendered conversation', async () => {
    const sampling = { ...DEFAULT_SAMPLING, maxNewTokens: 6 };
    const prompts = REQUESTS.map((r) => backend.render(r.messages) + (r.assistantPrefix ?? ''));
    expect(await backend.complete(prompts, sampling)).toEqual(await backend.generate(REQUESTS, sampling));
  });

  it('cuts after the first stop string and reports finishReason stop', async () => {
    const [free] = await backend.generate([REQUESTS[1]], { ...DEFAULT_SAMPLING, maxNewTokens: 8 });
    expect(free.text.length).toBeGreaterThanOrEqual(4);
    const stop = free.text.slice(2, 4);
    const [stopped] = await backend.generate([REQUESTS[1]], { ...DEFAULT_SAMPLING, maxNewTokens: 8, stop: [stop, 'never'] });
    const end = free.text.indexOf(stop) + stop.length;
    expect(stopped.text).toBe(free.text.slice(0, end));
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.tokenCount).toBeLessThanOrEqual(end);
  });

  it('samples reproducibly from a seed', async () => {
    const sampling = { ...DEFAULT_SAMPLING, maxNewTokens: 12, temperature: 1.5, topK: 20, topP: 0.95 };
    const a = await backend.generate(REQUESTS, { ...sampling, seed: 1 });
    const b = await backend.generate(REQUESTS, { ...sampling, seed: 1 });
    const c = await backend.generate(REQUESTS, { ...sampling, seed: 2 });
    expect(b).toEqual(a);
    expect(c.map((x) => x.text)).not.toEqual(a.map((x) => x.text));
  });

  it('draws the same completions as the in-process backend on the same weights, greedy and seeded', async () => {
    const inProcess = new InProcessBackend(model);
    for (const sampling of [
      { ...DEFAULT_SAMPLING, maxNewTokens: 10 },
      { ...DEFAULT_SAMPLING, maxNewTokens: 10, temperature: 1.2, topK: 30, topP: 0.9, seed: 5 },
    ]) {
      const [onnx, rlft] = [await backend.generate(REQUESTS, sampling), await inProcess.generate(REQUESTS, sampling)];
      expect(onnx.map((c) => [c.text, c.finishReason, c.tokenCount])).toEqual(rlft.map((c) => [c.text, c.finishReason, c.tokenCount]));
      onnx.forEach((c, i) => c.logprobs?.forEach((lp, t) => expect(lp).toBeCloseTo(rlft[i].logprobs?.[t] ?? NaN, 4)));
    }
  });

  it('loads weights kept in onnx/model.onnx_data and generates the same', async () => {
    const external = tempDir();
    exportOnnxModelDir(modelDir, external, { externalData: true });
    const fromExternal = await OnnxBackend.load(external);
    const sampling = { ...DEFAULT_SAMPLING, maxNewTokens: 6 };
    expect(await fromExternal.generate(REQUESTS, sampling)).toEqual(await backend.generate(REQUESTS, sampling));
    await fromExternal.close();
  });

  it('refuses a directory without onnx/model.onnx, naming the file', async () => {
    await expect(OnnxBackend.load(join(FIXTURES, 'qwen3-tiny'))).rejects.toThrow(OnnxBackendError);
    await expect(OnnxBackend.load(join(FIXTURES, 'qwen3-tiny'))).rejects.toThrow(/tokenizer\.json|onnx\/model\.onnx/);
  });

  it('measures greedy generation speed', async () => {
    const speed = await onnxGenerationSpeed(modelDir, { batch: 2, promptTokens: 8, newTokens: 8 });
    expect(speed.tokensPerSecond).toBeGreaterThan(0);
    expect(speed.batch * speed.newTokens).toBe(16);
  });
});

describe.each([
  ['qwen3-tiny', false],
  ['qwen2-tiny', false],
  ['gpt2-tiny', false],
  ['qwen3-tiny', true],
])('exportOnnxModelDir on the %s fixture (external data: %s)', (name, externalData) => {
  it("gives the independent PyTorch reference's logits through onnxruntime", async () => {
    const out = tempDir();
    const path = exportOnnxModelDir(join(FIXTURES, name), out, { externalData });
    expect(existsSync(join(out, ONNX_DATA_FILE))).toBe(externalData);
    if (externalData) expect(statSync(path).size).toBeLessThan(statSync(join(out, ONNX_DATA_FILE)).size / 3);
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe(readFileSync(join(FIXTURES, name, 'config.json'), 'utf8'));
    const fixture = await ort.InferenceSession.create(path);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, number>;
    const layers = config.num_hidden_layers ?? config.n_layer;
    const kvHeads = config.num_key_value_heads ?? config.n_head;
    const headDim = config.head_dim ?? (config.hidden_size ?? config.n_embd) / (config.num_attention_heads ?? config.n_head);
    const reference = JSON.parse(readFileSync(join(FIXTURES, name, 'reference.json'), 'utf8')) as { tokens: number[][]; logits: number[][][] };
    for (const [row, tokens] of reference.tokens.entries()) {
      const n = tokens.length;
      const feeds: Record<string, ort.Tensor> = {
        [DECODER_IO.inputIds]: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [1, n]),
        [DECODER_IO.attentionMask]: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
        [DECODER_IO.positionIds]: new ort.Tensor('int64', BigInt64Array.from(tokens.map((_, i) => BigInt(i))), [1, n]),
        [DECODER_IO.numLogitsToKeep]: new ort.Tensor('int64', BigInt64Array.of(0n), []),
      };
      for (let i = 0; i < layers; i++) {
        feeds[DECODER_IO.pastKey(i)] = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
        feeds[DECODER_IO.pastValue(i)] = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
      }
      const logits = (await fixture.run(feeds))[DECODER_IO.logits].data as Float32Array;
      const want = reference.logits[row].flat();
      expect(logits.length).toBe(want.length);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(logits[i] - want[i]));
      expect(worst).toBeLessThan(1e-4);
    }
    await fixture.release();
  });
});
