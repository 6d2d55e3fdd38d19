import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { grad, jit } from '@jax-js/jax';
import { Rng } from '@rlft/core';
import { initEngine, np, refTree, toEngine, treeFromHost, treeToHost } from '@rlft/nn';
import { scratchConfig } from './config.js';
import { initParams } from './init.js';
import { cachedAttnBias, cacheWriteOneHot, causalAttnBias, emptyKvCache, forward, leftPaddedPositions, tokenLogProbs, type KvCache } from './forward.js';
import { loadTransformerWeights } from './weights-io.js';
import type { LoraLayer, LoraParams, TransformerConfig, TransformerParams } from './types.js';

beforeAll(async () => {
  await initEngine('wasm');
});

const int32 = (rows: number[][]): np.Array => np.array(Int32Array.from(rows.flat()), { shape: [rows.length, rows[0].length], dtype: np.int32 });

/** Logits of unpadded sequences (all the same length), [B, T, V] as nested arrays. */
function fullLogits(config: TransformerConfig, params: TransformerParams, rows: number[][]): number[][][] {
  const T = rows[0].length;
  const { logits } = forward(config, params, { tokens: int32(rows), positions: leftPaddedPositions(rows.map(() => 0), T), attnBias: causalAttnBias(rows.map(() => 0), T) });
  return logits.js() as number[][][];
}

function maxDifference(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b[i])), 0);
}

const configs: [string, TransformerConfig][] = [
  ['qwen3-style GQA with q/k norm', scratchConfig('tiny', 50)],
  [
    'gpt2',
    {
      ...scratchConfig('tiny', 50),
      architecture: 'gpt2',
      numKvHeads: 4,
      headDim: 16,
      intermediateSize: 256,
      maxPositions: 32,
      norm: 'layernorm',
      normEps: 1e-5,
      positions: 'learned',
      mlp: 'gelu',
      tieEmbeddings: true,
      qkvBias: true,
      projectionBias: true,
      qkNorm: false,
    },
  ],
];

describe.each(configs)('forward (%s)', (_name, config) => {
  it('gives left-padded rows the logits of the same rows unpadded', () => {
    const params = initParams(config, 1);
    const short = [5, 9, 13];
    const long = [7, 1, 2, 3, 4];
    const expectedShort = fullLogits(config, params, [short]);
    const expectedLong = fullLogits(config, params, [long]);
    const T = 5;
    const padding = [2, 0];
    const { logits } = forward(config, params, {
      tokens: int32([[0, 0, ...short], long]),
      positions: leftPaddedPositions(padding, T),
      attnBias: causalAttnBias(padding, T),
    });
    const got = logits.js() as number[][][];
    expect(maxDifference(got[0].slice(2).flat(), expectedShort[0].flat())).toBeLessThan(1e-5);
    expect(maxDifference(got[1].flat(), expectedLong[0].flat())).toBeLessThan(1e-5);
  });

  it('decodes with the KV cache (prefill, then one token at a time) exactly as the full forward', () => {
    const params = initParams(config, 2);
    const rows = [
      [3, 8, 1, 4, 1, 5, 9],
      [2, 7, 1, 8, 2, 8, 1],
    ];
    const expected = fullLogits(config, params, rows);
    const capacity = 8;
    const prefill = 4;
    const padding = [0, 0];
    let cache: KvCache = emptyKvCache(config, 2, capacity);
    const step = (start: number, length: number): number[][][] => {
      const result = forward(
        config,
        params,
        {
          tokens: int32(rows.map((row) => row.slice(start, start + length))),
          positions: int32(rows.map(() => Array.from({ length }, (_, t) => start + t))),
          attnBias: cachedAttnBias(padding, start, length, capacity),
          cacheWrite: cacheWriteOneHot(start, length, capacity),
        },
        { cache },
      );
      cache = result.cache!;
      expect(cache.keys[0].shape).toEqual([2, config.numKvHeads, capacity, config.headDim]);
      return result.logits.js() as number[][][];
    };
    const first = step(0, prefill);
    for (let b = 0; b < 2; b++) expect(maxDifference(first[b].flat(), expected[b].slice(0, prefill).flat())).toBeLessThan(1e-5);
    for (let t = prefill; t < rows[0].length; t++) {
      const next = step(t, 1);
      for (let b = 0; b < 2; b++) expect(maxDifference(next[b][0], expected[b][t])).toBeLessThan(1e-5);
    }
    for (const array of [...cache.keys, ...cache.values]) array.dispose();
  });

  it('decodes under jit, one compiled shape for every step', () => {
    const params = initParams(config, 4);
    const row = [3, 8, 1, 4, 1, 5];
    const expected = fullLogits(config, params, [row]);
    const capacity = 8;
    const decode = jit((cache: KvCache, tokens: np.Array, positions: np.Array, attnBias: np.Array, cacheWrite: np.Array) => {
      const result = forward(config, params, { tokens, positions, attnBias, cacheWrite }, { cache });
      return { logits: result.logits, cache: result.cache! };
    });
    let cache = emptyKvCache(config, 1, capacity);
    for (let t = 0; t < row.length; t++) {
      const result = decode(cache, int32([[row[t]]]), int32([[t]]), cachedAttnBias([0], t, 1, capacity), cacheWriteOneHot(t, 1, capacity));
      cache = result.cache;
      expect(maxDifference((result.logits.js() as number[][][])[0][0], expected[0][t])).toBeLessThan(1e-5);
    }
    for (const array of [...cache.keys, ...cache.values]) array.dispose();
    decode.dispose();
  });

  it('leaves params alive (it does not consume them)', () => {
    const params = initParams(config, 3);
    fullLogits(config, params, [[1, 2, 3]]);
    expect(() => treeToHost(params)).not.toThrow();
  });
});

describe('tokenLogProbs', () => {
  it('picks log softmax at the targets', () => {
    const logits = np.array([[[1, 2, 3], [0, 0, 0]]]);
    const got = tokenLogProbs(logits, int32([[2, 0]])).js() as number[][];
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(got[0][0]).toBeCloseTo(3 - lse, 5);
    expect(got[0][1]).toBeCloseTo(-Math.log(3), 5);
  });
});

describe('forward under jit and grad', () => {
  // The fixtures' weights are large enough (std 0.2–0.5) that every gradient is far from zero.
  const fixture = (name: string) => loadTransformerWeights(join(import.meta.dirname, '..', 'fixtures', 'models', name));
  const rows = [
    [3, 8, 1, 4, 1, 5],
    [9, 2, 6, 5, 3, 5],
  ];
  const targets = rows.map((row) => [...row.slice(1), 7]);

  /** Σ log p(targets), the scalar of a training step, with every input built fresh (jit consumes its arguments). */
  function makeLoss(config: TransformerConfig) {
    return jit((params: TransformerParams, tokens: np.Array, positions: np.Array, attnBias: np.Array, targetIds: np.Array) =>
      tokenLogProbs(forward(config, params, { tokens, positions, attnBias }).logits, targetIds).sum(),
    );
  }
  const inputs = (): [np.Array, np.Array, np.Array, np.Array] => [int32(rows), leftPaddedPositions([0, 0], 6), causalAttnBias([0, 0], 6), int32(targets)];

  it.each([
    ['gpt2-tiny', ['layers.0.attn.q.weight', 'layers.1.attn.v.bias', 'layers.0.mlp.up.weight', 'position_embed', 'final_norm.bias']],
    ['qwen3-tiny', ['layers.0.attn.k.weight', 'layers.1.attn.q_norm.weight', 'layers.0.mlp.gate.weight', 'embed', 'final_norm.weight']],
  ])('%s: gradients match central differences', (name, paths) => {
    const { config, params } = fixture(name);
    const loss = makeLoss(config);
    const gradient = jit(grad((p: TransformerParams, ...rest: np.Array[]) => tokenLogProbs(forward(config, p, { tokens: rest[0], positions: rest[1], attnBias: rest[2] }).logits, rest[3]).sum()));
    const analytic = treeToHost(gradient(refTree(params), ...inputs()));
    const host = treeToHost(params);
    const lossAt = (tensors: typeof host): number => loss(treeFromHost(params, tensors), ...inputs()).item();
    const rng = Rng.fromSeed(5);
    const h = 1e-2;
    for (const path of paths) {
      const tensor = host.get(path)!;
      let worst = 0;
      let scale = 0;
      for (let draw = 0; draw < 4; draw++) {
        const i = rng.integer(0, tensor.data.length - 1);
        const original = tensor.data[i];
        tensor.data[i] = original + h;
        const above = lossAt(host);
        tensor.data[i] = original - h;
        const below = lossAt(host);
        tensor.data[i] = original;
        const numeric = (above - below) / (2 * h);
        const got = analytic.get(path)!.data[i];
        worst = Math.max(worst, Math.abs(got - numeric));
        scale = Math.max(scale, Math.abs(numeric));
      }
      // Float32 central differences with h = 1e-2: rounding ~1e-4, truncation O(h²).
      expect(scale, path).toBeGreaterThan(1e-2);
      expect(worst / scale, path).toBeLessThan(1e-2); // measured ≤ 2e-3
    }
    loss.dispose();
    gradient.dispose();
  });

  it('differentiates with respect to LoRA adapters (base frozen)', () => {
    const { config, params } = fixture('qwen3-tiny');
    const rng = Rng.fromSeed(9);
    const pair = (out: number, inp: number) => ({ A: toEngine(Float32Array.from({ length: 2 * inp }, () => rng.normal(0, 0.3)), [2, inp]), B: toEngine(Float32Array.from({ length: out * 2 }, () => rng.normal(0, 0.3)), [out, 2]) });
    const lora: LoraParams = { layers: [{ q: pair(64, 32), down: pair(32, 64) }, { v: pair(32, 32) }] };
    const lossOf = (adapters: LoraParams, tokens: np.Array, positions: np.Array, attnBias: np.Array, targetIds: np.Array) =>
      tokenLogProbs(forward(config, params, { tokens, positions, attnBias }, { lora: { params: adapters, scaling: 2 } }).logits, targetIds).sum();
    const loss = jit(lossOf);
    const gradient = jit(grad(lossOf));
    const analytic = treeToHost(gradient(refTree(lora), ...inputs()));
    const host = treeToHost(lora);
    const h = 1e-2;
    for (const path of ['layers.0.q.B', 'layers.0.down.A', 'layers.1.v.B']) {
      const tensor = host.get(path)!;
      for (const i of [0, tensor.data.length - 1]) {
        const original = tensor.data[i];
        tensor.data[i] = original + h;
        const above = loss(treeFromHost(lora, host), ...inputs()).item();
        tensor.data[i] = original - h;
        const below = loss(treeFromHost(lora, host), ...inputs()).item();
        tensor.data[i] = original;
        const numeric = (above - below) / (2 * h);
        expect(Math.abs(numeric), path).toBeGreaterThan(1e-2);
        expect(Math.abs(analytic.get(path)!.data[i] - numeric) / Math.abs(numeric), path).toBeLessThan(1e-2);
      }
    }
    loss.dispose();
    gradient.dispose();
  });

  it('gives the same logits inside jit as outside', () => {
    const { config, params } = fixture('qwen2-tiny');
    const run = (tokens: np.Array, positions: np.Array, attnBias: np.Array) => forward(config, params, { tokens, positions, attnBias }).logits;
    const [tokens, positions, bias] = inputs();
    const eager = run(tokens.ref, positions.ref, bias.ref).js() as number[][][];
    const compiled = jit(run);
    const traced = compiled(tokens, positions, bias).js() as number[][][];
    expect(maxDifference(traced.flat(2), eager.flat(2))).toBeLessThan(1e-5);
    compiled.dispose();
  });
});

describe('LoRA hook', () => {
  /** ΔW = s·B·A on the host, [out, in]. */
  function mergedWeight(weight: Float32Array, A: Float32Array, B: Float32Array, out: number, inp: number, r: number, scaling: number): Float32Array {
    const merged = Float32Array.from(weight);
    for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) for (let k = 0; k < r; k++) merged[o * inp + i] += scaling * B[o * r + k] * A[k * inp + i];
    return merged;
  }

  const r = 2;
  const scaling = 1.5;
  const random = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal(0, 0.3));

  it.each([
    ['qwen3-tiny', ['q', 'v', 'o', 'gate', 'down']],
    ['gpt2-tiny', ['qkv', 'o', 'up']],
  ] as const)('%s: B = 0 changes nothing; a random B equals the merged weights W + s·B·A', (name, targets) => {
    const { config, params } = loadTransformerWeights(join(import.meta.dirname, '..', 'fixtures', 'models', name));
    const tokens = [[4, 9, 1, 7, 3]];
    const base = fullLogits(config, params, tokens);
    const rng = Rng.fromSeed(11);
    const host = treeToHost(params);
    const layers: LoraLayer[] = [];
    const zeroLayers: LoraLayer[] = [];
    for (let l = 0; l < config.numLayers; l++) {
      const layer: LoraLayer = {};
      const zero: LoraLayer = {};
      for (const target of targets) {
        const parts = target === 'qkv' ? (['q', 'k', 'v'] as const) : [target];
        const paths = parts.map((p) => `layers.${l}.${p === 'gate' || p === 'up' || p === 'down' ? 'mlp' : 'attn'}.${p}.weight`);
        const shapes = paths.map((p) => host.get(p)!.shape);
        const inp = shapes[0][1];
        const out = shapes.reduce((n, s) => n + s[0], 0);
        const A = random(rng, r * inp);
        const B = random(rng, out * r);
        layer[target] = { A: toEngine(A, [r, inp]), B: toEngine(B, [out, r]) };
        zero[target] = { A: toEngine(A, [r, inp]), B: np.zeros([out, r]) };
        // Merge into the base weights on the host (row blocks for the fused q|k|v).
        let row = 0;
        paths.forEach((path, j) => {
          const rows = shapes[j][0];
          const Bpart = B.slice(row * r, (row + rows) * r);
          host.set(path, { shape: shapes[j], data: Float32Array.from(mergedWeight(host.get(path)!.data, A, Bpart, rows, inp, r, scaling)) });
          row += rows;
        });
      }
      layers.push(layer);
      zeroLayers.push(zero);
    }
    const withLora = (lora: LoraLayer[]): number[][][] => {
      const { logits } = forward(config, params, { tokens: int32(tokens), positions: leftPaddedPositions([0], 5), attnBias: causalAttnBias([0], 5) }, { lora: { params: { layers: lora }, scaling } });
      return logits.js() as number[][][];
    };
    expect(maxDifference(withLora(zeroLayers).flat(2), base.flat(2))).toBeLessThan(1e-6);
    const adapted = withLora(layers);
    expect(maxDifference(adapted.flat(2), base.flat(2))).toBeGreaterThan(1e-2);
    const merged = fullLogits(config, treeFromHost(params, host), tokens);
    expect(maxDifference(adapted.flat(2), merged.flat(2))).toBeLessThan(1e-4);
    // The adapters were not consumed.
    expect(() => treeToHost({ layers })).not.toThrow();
  });
});

describe('forward input checks', () => {
  it('names the input whose shape is wrong', () => {
    const config = scratchConfig('tiny', 20);
    const params = initParams(config, 1);
    expect(() => forward(config, params, { tokens: int32([[1, 2, 3]]), positions: leftPaddedPositions([0], 3), attnBias: causalAttnBias([0], 4) })).toThrow(
      /input\.attnBias must be \[B, T, S\] = \[1, 3, 3\].*got \[1, 4, 4\]/,
    );
    expect(() => forward(config, params, { tokens: int32([[1, 2]]), positions: leftPaddedPositions([0], 2), attnBias: cachedAttnBias([0], 0, 2, 4) }, { cache: emptyKvCache(config, 1, 4) })).toThrow(
      /needs input\.cacheWrite/,
    );
  });
});
