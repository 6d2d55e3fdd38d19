import { initEngine, np, treeFromHost } from '@rlft/nn';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { scratchConfig } from '../model/config.js';
import { causalAttnBias, forward, leftPaddedPositions } from '../model/forward.js';
import { initParams } from '../model/init.js';
import type { TransformerConfig, TransformerParams } from '../model/types.js';
import { DECODER_IO, exportTransformerOnnx, OnnxExportError } from './export-transformer.js';
import { randomHostWeights } from './random-weights.js';

const VOCAB = 23;

const CONFIGS: Record<string, TransformerConfig> = {
  // Qwen3 shape: q/k norm, GQA (4 heads over 2 kv heads), tied embeddings.
  qwen3: scratchConfig('tiny', VOCAB, { hiddenSize: 32, numHeads: 4, numKvHeads: 2, headDim: 8, intermediateSize: 48, numLayers: 2 }),
  // Qwen2 shape: q/k/v biases, separate lm_head, no q/k norm.
  qwen2: scratchConfig('tiny', VOCAB, { architecture: 'qwen2', hiddenSize: 32, numHeads: 4, numKvHeads: 1, headDim: 8, intermediateSize: 48, numLayers: 2, qkNorm: false, qkvBias: true, tieEmbeddings: false }),
  gpt2: {
    ...scratchConfig('tiny', VOCAB, { hiddenSize: 32, numHeads: 4, numKvHeads: 4, headDim: 8, intermediateSize: 64, numLayers: 2 }),
    architecture: 'gpt2',
    maxPositions: 16,
    norm: 'layernorm',
    normEps: 1e-5,
    positions: 'learned',
    mlp: 'gelu',
    qkvBias: true,
    projectionBias: true,
    qkNorm: false,
  },
};

type Session = ort.InferenceSession;

function int64(values: number[], dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

/** Positions as transformers.js makes them: cumsum(mask) − 1, padding at 1. */
function positionsFromMask(mask: number[][]): number[][] {
  return mask.map((row) => {
    let seen = 0;
    return row.map((m) => (m ? seen++ : 1));
  });
}

/** One decoder call; `past` null = empty cache. */
async function run(session: Session, config: TransformerConfig, ids: number[][], mask: number[][], past: Record<string, ort.Tensor> | null, keepLogits = 0) {
  const batch = ids.length;
  const length = ids[0].length;
  const positions = positionsFromMask(mask).map((row) => row.slice(row.length - length));
  const feeds: Record<string, ort.Tensor> = {
    [DECODER_IO.inputIds]: int64(ids.flat(), [batch, length]),
    [DECODER_IO.attentionMask]: int64(mask.flat(), [batch, mask[0].length]),
    [DECODER_IO.positionIds]: int64(positions.flat(), [batch, length]),
    [DECODER_IO.numLogitsToKeep]: int64([keepLogits], []),
  };
  for (let i = 0; i < config.numLayers; i++) {
    for (const [pastName, presentName] of [
      [DECODER_IO.pastKey(i), DECODER_IO.presentKey(i)],
      [DECODER_IO.pastValue(i), DECODER_IO.presentValue(i)],
    ]) {
      feeds[pastName] = past ? past[presentName] : new ort.Tensor('float32', new Float32Array(0), [batch, config.numKvHeads, 0, config.headDim]);
    }
  }
  return session.run(feeds);
}

/** Logits [B, T, V] of rlft's own forward for a left-padded batch. */
function referenceLogits(config: TransformerConfig, params: TransformerParams, ids: number[][], padding: number[]): Float32Array {
  const length = ids[0].length;
  const tokens = np.array(Int32Array.from(ids.flat()), { shape: [ids.length, length], dtype: np.int32 });
  const { logits } = forward(config, params, { tokens, positions: leftPaddedPositions(padding, length), attnBias: causalAttnBias(padding, length) });
  return Float32Array.from(logits.dataSync() as ArrayLike<number>);
}

function maxAbsDiffOnRows(a: Float32Array, b: Float32Array, vocab: number, rows: (row: number) => boolean): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) if (rows(Math.floor(i / vocab))) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

beforeAll(async () => {
  await initEngine();
});

describe('exportTransformerOnnx', () => {
  const ids = [
    [0, 0, 5, 7, 9, 11],
    [3, 4, 5, 6, 7, 8],
  ];
  const padding = [2, 0];
  const mask = padding.map((pad) => ids[0].map((_, t) => (t < pad ? 0 : 1)));

  for (const [name, config] of Object.entries(CONFIGS)) {
    it(`${name}: onnxruntime's logits equal rlft's forward on a left-padded batch, and the KV-cache path equals the full pass`, async () => {
      const weights = randomHostWeights(config, 7);
      const session = await ort.InferenceSession.create(exportTransformerOnnx(config, weights));
      const full = await run(session, config, ids, mask, null);
      const onnxLogits = full[DECODER_IO.logits].data as Float32Array;
      expect(full[DECODER_IO.logits].dims).toEqual([2, 6, VOCAB]);
      expect(full[DECODER_IO.presentKey(1)].dims).toEqual([2, config.numKvHeads, 6, config.headDim]);

      const params = treeFromHost(initParams(config, 0), weights);
      const reference = referenceLogits(config, params, ids, padding);
      // Padding positions are ignored by both; compare the real tokens.
      const isReal = (row: number) => Math.floor(row / 6) === 1 || row % 6 >= padding[0];
      expect(maxAbsDiffOnRows(onnxLogits, reference, VOCAB, isReal)).toBeLessThan(1e-4);

      // Prefill 4 tokens keeping the last position's logits only, then 2 one-token steps through the cache.
      const prefill = await run(
        session,
        config,
        ids.map((row) => row.slice(0, 4)),
        mask.map((row) => row.slice(0, 4)),
        null,
        1,
      );
      expect(prefill[DECODER_IO.logits].dims).toEqual([2, 1, VOCAB]);
      const lastPrefill = prefill[DECODER_IO.logits].data as Float32Array;
      for (let b = 0; b < 2; b++) {
        for (let v = 0; v < VOCAB; v++) expect(lastPrefill[b * VOCAB + v]).toBeCloseTo(onnxLogits[(b * 6 + 3) * VOCAB + v], 4);
      }
      let past: Record<string, ort.Tensor> = prefill;
      for (const t of [4, 5]) {
        const step = await run(
          session,
          config,
          ids.map((row) => [row[t]]),
          mask.map((row) => row.slice(0, t + 1)),
          past,
        );
        expect(step[DECODER_IO.presentValue(0)].dims).toEqual([2, config.numKvHeads, t + 1, config.headDim]);
        const stepLogits = step[DECODER_IO.logits].data as Float32Array;
        for (let b = 0; b < 2; b++) {
          const want = onnxLogits.subarray((b * 6 + t) * VOCAB, (b * 6 + t + 1) * VOCAB);
          const got = stepLogits.subarray(b * VOCAB, (b + 1) * VOCAB);
          for (let v = 0; v < VOCAB; v++) expect(got[v]).toBeCloseTo(want[v], 4);
        }
        past = step;
      }
      await session.release();
    });
  }

  it('names a missing or misshapen tensor', () => {
    const config = CONFIGS.qwen3;
    const weights = randomHostWeights(config, 1);
    weights.delete('layers.1.attn.k_norm.weight');
    expect(() => exportTransformerOnnx(config, weights)).toThrow(/missing tensor 'layers\.1\.attn\.k_norm\.weight'/);
    const wrong = randomHostWeights(config, 1);
    wrong.set('embed', { shape: [VOCAB + 1, 32], data: new Float32Array((VOCAB + 1) * 32) });
    expect(() => exportTransformerOnnx(config, wrong)).toThrow(OnnxExportError);
  });
});
