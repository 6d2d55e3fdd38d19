import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, np, treeToHost } from '@rlft/nn';
import { scratchConfig } from './config.js';
import { initParams } from './init.js';
import { cachedAttnBias, cacheWriteOneHot, causalAttnBias, emptyKvCache, forward, leftPaddedPositions, tokenLogProbs, type KvCache } from './forward.js';
import type { TransformerConfig, TransformerParams } from './types.js';

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
