import { Rng } from '@rlft/core';
import { constant, normal, toEngine, zeros, type np } from '@rlft/nn';
import type { AttentionParams, BlockParams, LinearParams, MlpParams, NormParams, TransformerConfig, TransformerParams } from './types.js';

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

/** What a tensor is, which decides how {@link initParams} fills it. */
export type ParamRole = 'weight' | 'bias' | 'norm_weight';

/**
 * A parameter tree of `config`'s shape whose leaves come from `make(path, shape, role)`, with
 * dotted rlft paths (`layers.0.attn.q.weight`), in a fixed order (the order of the tree).
 */
export function buildParams(config: TransformerConfig, make: (path: string, shape: number[], role: ParamRole) => np.Array): TransformerParams {
  const shapes = parameterShapes(config);
  const linear = (path: string, l: LinearShape): LinearParams => {
    const params: LinearParams = { weight: make(`${path}.weight`, l.weight, 'weight') };
    if (l.bias) params.bias = make(`${path}.bias`, l.bias, 'bias');
    return params;
  };
  const norm = (path: string, n: NormShape): NormParams => {
    const params: NormParams = { weight: make(`${path}.weight`, n.weight, 'norm_weight') };
    if (n.bias) params.bias = make(`${path}.bias`, n.bias, 'bias');
    return params;
  };
  const embed = make('embed', shapes.embed, 'weight');
  const positionEmbed = shapes.position_embed && make('position_embed', shapes.position_embed, 'weight');
  const layers = shapes.layers.map((layer, i): BlockParams => {
    const at = `layers.${i}`;
    const attnNorm = norm(`${at}.attn_norm`, layer.attn_norm);
    const attn: AttentionParams = {
      q: linear(`${at}.attn.q`, layer.attn.q),
      k: linear(`${at}.attn.k`, layer.attn.k),
      v: linear(`${at}.attn.v`, layer.attn.v),
      o: linear(`${at}.attn.o`, layer.attn.o),
    };
    if (layer.attn.q_norm && layer.attn.k_norm) {
      attn.q_norm = norm(`${at}.attn.q_norm`, layer.attn.q_norm);
      attn.k_norm = norm(`${at}.attn.k_norm`, layer.attn.k_norm);
    }
    const mlpNorm = norm(`${at}.mlp_norm`, layer.mlp_norm);
    const gate = layer.mlp.gate && linear(`${at}.mlp.gate`, layer.mlp.gate);
    const mlp: MlpParams = { ...(gate ? { gate } : {}), up: linear(`${at}.mlp.up`, layer.mlp.up), down: linear(`${at}.mlp.down`, layer.mlp.down) };
    return { attn_norm: attnNorm, attn, mlp_norm: mlpNorm, mlp };
  });
  const params: TransformerParams = { embed, layers, final_norm: norm('final_norm', shapes.final_norm) };
  if (positionEmbed) params.position_embed = positionEmbed;
  if (shapes.lm_head) params.lm_head = make('lm_head', shapes.lm_head, 'weight');
  return params;
}

export function initParams(config: TransformerConfig, seed: number): TransformerParams {
  const rng = Rng.fromSeed(seed);
  return buildParams(config, (_path, shape, role) => {
    const n = size(shape);
    const values = role === 'weight' ? normal(rng, n, INIT_STD) : role === 'norm_weight' ? constant(n, 1) : zeros(n);
    return toEngine(values, shape);
  });
}
