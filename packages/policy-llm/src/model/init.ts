import { Rng } from '@rlft/core';
import { constant, normal, toEngine, zeros, type np } from '@rlft/nn';
import type { BlockParams, LinearParams, NormParams, TransformerConfig, TransformerParams } from './types.js';

/**
 * Fresh parameters as Hugging Face's `_init_weights` makes them: weights and embeddings drawn
 * from normal(0, 0.02), biases zero, norm weights one (LayerNorm biases zero). Deterministic in
 * `seed`: every tensor is drawn in a fixed order from one {@link Rng}.
 */
export const INIT_STD = 0.02;

/** Every tensor's shape, in the order they are drawn; also the source of {@link parameterCount}. */
export function parameterShapes(config: TransformerConfig): TransformerParamsShape {
  const { hiddenSize: d, numHeads, numKvHeads, headDim, intermediateSize: ff, vocabSize } = config;
  const linear = (out: number, inp: number, bias: boolean): LinearShape => ({ weight: [out, inp], bias: bias ? [out] : undefined });
  const norm = (n: number): NormShape => ({ weight: [n], bias: config.norm === 'layernorm' ? [n] : undefined });
  const layer = (): BlockShape => ({
    attn_norm: norm(d),
    attn: {
      q: linear(numHeads * headDim, d, config.qkvBias),
      k: linear(numKvHeads * headDim, d, config.qkvBias),
      v: linear(numKvHeads * headDim, d, config.qkvBias),
      o: linear(d, numHeads * headDim, config.projectionBias),
      ...(config.qkNorm ? { q_norm: { weight: [headDim] }, k_norm: { weight: [headDim] } } : {}),
    },
    mlp_norm: norm(d),
    mlp: {
      ...(config.mlp === 'swiglu' ? { gate: linear(ff, d, config.projectionBias) } : {}),
      up: linear(ff, d, config.projectionBias),
      down: linear(d, ff, config.projectionBias),
    },
  });
  return {
    embed: [vocabSize, d],
    ...(config.positions === 'learned' ? { position_embed: [config.maxPositions, d] } : {}),
    layers: Array.from({ length: config.numLayers }, layer),
    final_norm: norm(d),
    ...(config.tieEmbeddings ? {} : { lm_head: [vocabSize, d] }),
  };
}

type Shape = number[];
type LinearShape = { weight: Shape; bias?: Shape };
type NormShape = { weight: Shape; bias?: Shape };
type BlockShape = {
  attn_norm: NormShape;
  attn: { q: LinearShape; k: LinearShape; v: LinearShape; o: LinearShape; q_norm?: NormShape; k_norm?: NormShape };
  mlp_norm: NormShape;
  mlp: { gate?: LinearShape; up: LinearShape; down: LinearShape };
};
export type TransformerParamsShape = { embed: Shape; position_embed?: Shape; layers: BlockShape[]; final_norm: NormShape; lm_head?: Shape };

const size = (shape: Shape | undefined): number => (shape ? shape.reduce((a, b) => a * b, 1) : 0);

export function parameterCount(config: TransformerConfig): number {
  const shapes = parameterShapes(config);
  const linear = (l: LinearShape | undefined): number => (l ? size(l.weight) + size(l.bias) : 0);
  let total = size(shapes.embed) + size(shapes.position_embed) + size(shapes.lm_head) + linear(shapes.final_norm);
  for (const layer of shapes.layers) {
    const { attn, mlp } = layer;
    total += linear(layer.attn_norm) + linear(layer.mlp_norm) + linear(attn.q) + linear(attn.k) + linear(attn.v) + linear(attn.o);
    total += linear(attn.q_norm) + linear(attn.k_norm) + linear(mlp.gate) + linear(mlp.up) + linear(mlp.down);
  }
  return total;
}

export function initParams(config: TransformerConfig, seed: number): TransformerParams {
  const rng = Rng.fromSeed(seed);
  const shapes = parameterShapes(config);
  const weight = (shape: Shape): np.Array => toEngine(normal(rng, size(shape), INIT_STD), shape);
  const linear = (l: LinearShape): LinearParams => {
    const params: LinearParams = { weight: weight(l.weight) };
    if (l.bias) params.bias = toEngine(zeros(size(l.bias)), l.bias);
    return params;
  };
  const norm = (n: NormShape): NormParams => {
    const params: NormParams = { weight: toEngine(constant(size(n.weight), 1), n.weight) };
    if (n.bias) params.bias = toEngine(zeros(size(n.bias)), n.bias);
    return params;
  };
  const params: TransformerParams = { embed: weight(shapes.embed), layers: [], final_norm: norm(shapes.final_norm) };
  if (shapes.position_embed) params.position_embed = weight(shapes.position_embed);
  for (const layer of shapes.layers) {
    const block: BlockParams = {
      attn_norm: norm(layer.attn_norm),
      attn: { q: linear(layer.attn.q), k: linear(layer.attn.k), v: linear(layer.attn.v), o: linear(layer.attn.o) },
      mlp_norm: norm(layer.mlp_norm),
      mlp: { up: linear(layer.mlp.up), down: linear(layer.mlp.down) },
    };
    if (layer.attn.q_norm && layer.attn.k_norm) {
      block.attn.q_norm = norm(layer.attn.q_norm);
      block.attn.k_norm = norm(layer.attn.k_norm);
    }
    if (layer.mlp.gate) block.mlp.gate = linear(layer.mlp.gate);
    params.layers.push(block);
  }
  if (shapes.lm_head) params.lm_head = weight(shapes.lm_head);
  return params;
}
