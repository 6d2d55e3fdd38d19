import { RlftError } from '@rlft/core';
import type { HostTensors } from '@rlft/nn';
import { encodeOnnxModel, OnnxDataType, type OnnxModel, type OnnxValueInfo } from '@rlft/policy-mlp';
import { validateConfig } from '../model/config.js';
import type { TransformerConfig } from '../model/types.js';
import { OnnxGraphBuilder, tensorInfo, type ExternalDataSink } from './graph-builder.js';

/**
 * The transformer as an ONNX decoder with a KV cache, in the input/output convention of
 * transformers.js (and Optimum): inputs `input_ids`, `attention_mask` (over past + new tokens),
 * `position_ids` and `past_key_values.{i}.key|value` [batch, kvHeads, past, headDim]; outputs
 * `logits` [batch, seq, vocab] and `present.{i}.key|value` (past and new concatenated). An empty
 * past (length 0) is the no-cache forward. RoPE tables are computed from `position_ids` inside
 * the graph; the mask combines `attention_mask` (left padding) with causality.
 *
 * Opset 17: LayerNormalization exists, ReduceMean still takes `axes` as an attribute, and the
 * tanh-GELU is written out (Gelu arrives in opset 20).
 */

export const TRANSFORMER_ONNX_OPSET = 17;
export const TRANSFORMER_ONNX_IR_VERSION = 8;
/** What an additive mask puts on a hidden key: vanishes under softmax, keeps all-masked rows finite. */
const MASKED = -1e9;

export const DECODER_IO = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  positionIds: 'position_ids',
  /** int64 scalar: logits for the last k positions only (transformers.js feeds 1 while generating); 0 = all. */
  numLogitsToKeep: 'num_logits_to_keep',
  logits: 'logits',
  pastKey: (layer: number) => `past_key_values.${layer}.key`,
  pastValue: (layer: number) => `past_key_values.${layer}.value`,
  presentKey: (layer: number) => `present.${layer}.key`,
  presentValue: (layer: number) => `present.${layer}.value`,
} as const;

export class OnnxExportError extends RlftError {
  constructor(message: string) {
    super('ONNX_EXPORT', message);
  }
}

/** Protobuf messages (and so ONNX files with inline weights) stop at 2 GiB. */
const PROTOBUF_LIMIT = 2 ** 31 - 1;

export interface TransformerOnnxOptions {
  producerVersion?: string;
  /** Keep large tensors outside the model message (see `writeOnnxModel`, which provides a file sink). */
  externalData?: ExternalDataSink;
}

/**
 * Serialise the decoder for `config` with the given weights (rlft's dotted names, weights
 * [out, in], e.g. from `treeToHost(params)`).
 */
export function exportTransformerOnnx(config: TransformerConfig, weights: HostTensors, options: TransformerOnnxOptions = {}): Uint8Array {
  return encodeOnnxModel(buildTransformerOnnx(config, weights, options));
}

export function buildTransformerOnnx(config: TransformerConfig, weights: HostTensors, options: TransformerOnnxOptions = {}): OnnxModel {
  validateConfig(config);
  const graph = new TransformerGraph(config, weights, new OnnxGraphBuilder(options.externalData));
  const model = graph.build(options.producerVersion ?? '0.1.0');
  if (graph.inlineBytes > PROTOBUF_LIMIT) {
    throw new OnnxExportError(
      `ONNX export: the weights (${(graph.inlineBytes / 2 ** 30).toFixed(2)} GiB) do not fit one ONNX file (protobuf's 2 GiB limit); write the model with writeOnnxModel / exportOnnxModelDir, which put them in onnx/model.onnx_data`,
    );
  }
  return model;
}

class TransformerGraph {
  private readonly used = new Set<string>();

  constructor(
    private readonly config: TransformerConfig,
    private readonly weights: HostTensors,
    private readonly g: OnnxGraphBuilder,
  ) {}

  get inlineBytes(): number {
    return this.g.inlineBytes;
  }

  build(producerVersion: string): OnnxModel {
    const { config, g } = this;
    const { numLayers: L, numKvHeads: KV, headDim: D, vocabSize: V } = config;
    const inputs: OnnxValueInfo[] = [
      tensorInfo(g.reserve(DECODER_IO.inputIds), OnnxDataType.INT64, ['batch_size', 'sequence_length']),
      tensorInfo(g.reserve(DECODER_IO.attentionMask), OnnxDataType.INT64, ['batch_size', 'total_sequence_length']),
      tensorInfo(g.reserve(DECODER_IO.positionIds), OnnxDataType.INT64, ['batch_size', 'sequence_length']),
      tensorInfo(g.reserve(DECODER_IO.numLogitsToKeep), OnnxDataType.INT64, []),
    ];
    const outputs: OnnxValueInfo[] = [tensorInfo(DECODER_IO.logits, OnnxDataType.FLOAT, ['batch_size', 'logits_length', V])];
    for (let i = 0; i < L; i++) {
      for (const name of [DECODER_IO.pastKey(i), DECODER_IO.pastValue(i)]) {
        inputs.push(tensorInfo(g.reserve(name), OnnxDataType.FLOAT, ['batch_size', KV, 'past_sequence_length', D]));
      }
      for (const name of [DECODER_IO.presentKey(i), DECODER_IO.presentValue(i)]) {
        outputs.push(tensorInfo(name, OnnxDataType.FLOAT, ['batch_size', KV, 'total_sequence_length', D]));
      }
    }

    let x = g.op('Gather', [this.weight('embed', [V, config.hiddenSize]), DECODER_IO.inputIds], 'embedded', { axis: 0 });
    let rope: Rope | undefined;
    if (config.positions === 'learned') {
      const table = this.weight('position_embed', [config.maxPositions, config.hiddenSize]);
      x = g.op('Add', [x, g.op('Gather', [table, DECODER_IO.positionIds], 'position_embedded', { axis: 0 })], 'embedded_with_positions');
    } else {
      rope = this.ropeTables();
    }
    const bias = this.attentionBias();
    for (let i = 0; i < L; i++) x = this.block(i, x, bias, rope);
    x = this.norm('final_norm', this.lastPositions(x), config.hiddenSize);
    const head = config.tieEmbeddings ? this.weight('embed', [V, config.hiddenSize]) : this.weight('lm_head', [V, config.hiddenSize]);
    const headT = g.op('Transpose', [head], 'lm_head_t', { perm: [1, 0] });
    g.op('MatMul', [x, headT], DECODER_IO.logits, {}, { exact: true });

    const unused = [...this.weights.keys()].filter((name) => !this.used.has(name));
    if (unused.length) throw new OnnxExportError(`ONNX export: tensors not used by a ${config.architecture} model: ${unused.join(', ')}`);
    return {
      irVersion: TRANSFORMER_ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: TRANSFORMER_ONNX_OPSET }],
      producerName: 'rlft',
      producerVersion,
      docString: `rlft ${config.architecture} decoder (${L} layers, d${config.hiddenSize}) with KV cache`,
      graph: { name: `rlft_${config.architecture}_decoder`, node: g.nodes, initializer: g.initializers, input: inputs, output: outputs },
      metadataProps: [],
    };
  }

  /**
   * x[:, −k:] for k = num_logits_to_keep > 0, else x: while generating only the last position's
   * logits are needed, and the head is the largest matmul of a model with a big vocabulary.
   */
  private lastPositions(x: string): string {
    const { g } = this;
    const keep = DECODER_IO.numLogitsToKeep;
    const all = g.op('Equal', [keep, g.int64([0], [])], 'keep_all');
    const start = g.op('Where', [all, g.int64([0], []), g.op('Neg', [keep], 'keep_neg')], 'keep_start');
    const starts = g.op('Unsqueeze', [start, g.int64([0])], 'keep_starts');
    return g.op('Slice', [x, starts, g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])], 'kept_positions');
  }

  /** A host tensor as an initializer (once per name), checked against the shape the config implies. */
  private weight(path: string, shape: number[]): string {
    const tensor = this.weights.get(path);
    if (!tensor) throw new OnnxExportError(`ONNX export: missing tensor '${path}' (expected shape [${shape.join(', ')}])`);
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      throw new OnnxExportError(`ONNX export: tensor '${path}' has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    if (this.used.has(path)) return path;
    this.used.add(path);
    return this.g.float(path, shape, tensor.data, { exact: true });
  }

  /** torch.nn.Linear: x·Wᵀ + b; the weight is stored transposed ([in, out]) so MatMul reads it directly. */
  private linear(path: string, x: string, out: number, inp: number, bias: boolean): string {
    const tensor = this.weights.get(`${path}.weight`);
    if (!tensor) throw new OnnxExportError(`ONNX export: missing tensor '${path}.weight' (expected shape [${out}, ${inp}])`);
    if (tensor.shape[0] !== out || tensor.shape[1] !== inp || tensor.shape.length !== 2) {
      throw new OnnxExportError(`ONNX export: tensor '${path}.weight' has shape [${tensor.shape.join(', ')}], expected [${out}, ${inp}]`);
    }
    this.used.add(`${path}.weight`);
    const transposed = this.g.float(`${path}.weight_t`, [inp, out], transpose2d(tensor.data, out, inp));
    const y = this.g.op('MatMul', [x, transposed], `${path}.matmul`);
    return bias ? this.g.op('Add', [y, this.weight(`${path}.bias`, [out])], `${path}.out`) : y;
  }

  private norm(path: string, x: string, size: number): string {
    const { g, config } = this;
    const weight = this.weight(`${path}.weight`, [size]);
    if (config.norm === 'layernorm') {
      const bias = this.weight(`${path}.bias`, [size]);
      return g.op('LayerNormalization', [x, weight, bias], `${path}.out`, { axis: -1, epsilon: config.normEps }, { floatAttributes: ['epsilon'] });
    }
    return this.rmsNorm(path, x, weight);
  }

  /** x / √(mean(x²) + ε) · w over the last axis. */
  private rmsNorm(path: string, x: string, weight: string): string {
    const { g } = this;
    const meanSquare = g.op('ReduceMean', [g.op('Mul', [x, x], `${path}.square`)], `${path}.mean_square`, { axes: [-1], keepdims: 1 });
    const eps = g.float(`${path}.eps`, [], [this.config.normEps]);
    const inverse = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [meanSquare, eps], `${path}.var_eps`)], `${path}.rms`)], `${path}.inv_rms`);
    return g.op('Mul', [g.op('Mul', [x, inverse], `${path}.normed`), weight], `${path}.out`);
  }

  /** cos/sin [B, 1, T, D] of position·θ^(−2i/D), duplicated over both halves (rotate_half layout). */
  private ropeTables(): Rope {
    const { g, config } = this;
    const D = config.headDim;
    const half = D / 2;
    const inverseFrequencies = new Float32Array(D);
    for (let i = 0; i < half; i++) inverseFrequencies[i] = inverseFrequencies[i + half] = 1 / config.ropeTheta ** ((2 * i) / D);
    const positions = g.op('Cast', [DECODER_IO.positionIds], 'rope.positions', { to: OnnxDataType.FLOAT });
    const angles = g.op('Mul', [g.op('Unsqueeze', [positions, g.int64([-1])], 'rope.positions_col'), g.float('rope.inv_freq', [D], inverseFrequencies)], 'rope.angles');
    const perHead = g.op('Unsqueeze', [angles, g.int64([1])], 'rope.angles_heads');
    return { cos: g.op('Cos', [perHead], 'rope.cos'), sin: g.op('Sin', [perHead], 'rope.sin') };
  }

  /**
   * Additive bias [B, 1, 1, T, S]: 0 where new token t (absolute index past + t) may see key s
   * (s ≤ past + t and attention_mask[b, s] = 1), MASKED elsewhere.
   */
  private attentionBias(): string {
    const { g } = this;
    const index1 = g.int64([1], []);
    const newLength = g.op('Gather', [g.op('Shape', [DECODER_IO.inputIds], 'ids_shape'), index1], 'new_length', { axis: 0 });
    const totalLength = g.op('Gather', [g.op('Shape', [DECODER_IO.attentionMask], 'mask_shape'), index1], 'total_length', { axis: 0 });
    const pastLength = g.op('Sub', [totalLength, newLength], 'past_length');
    const one = g.int64([1], []);
    const keyIndex = g.op('Range', [g.int64([0], []), totalLength, one], 'key_index'); // [S]
    const queryIndex = g.op('Unsqueeze', [g.op('Range', [pastLength, totalLength, one], 'query_index'), g.int64([1])], 'query_index_col'); // [T, 1]
    const causal = g.op('LessOrEqual', [keyIndex, queryIndex], 'causal'); // [T, S]
    const real = g.op('Cast', [DECODER_IO.attentionMask], 'mask_bool', { to: OnnxDataType.BOOL });
    const realKeys = g.op('Unsqueeze', [real, g.int64([1, 2, 3])], 'mask_keys'); // [B, 1, 1, 1, S]
    const allowed = g.op('And', [causal, realKeys], 'allowed'); // [B, 1, 1, T, S]
    return g.op('Where', [allowed, g.float('mask_open', [], [0]), g.float('mask_closed', [], [MASKED])], 'attn_bias');
  }

  private block(i: number, x: string, bias: string, rope: Rope | undefined): string {
    const { g, config } = this;
    const d = config.hiddenSize;
    const prefix = `layers.${i}`;
    const attended = this.attention(i, this.norm(`${prefix}.attn_norm`, x, d), bias, rope);
    const afterAttention = g.op('Add', [x, attended], `${prefix}.resid_attn`);
    const mlpOut = this.mlp(prefix, this.norm(`${prefix}.mlp_norm`, afterAttention, d));
    return g.op('Add', [afterAttention, mlpOut], `${prefix}.out`);
  }

  private attention(i: number, x: string, bias: string, rope: Rope | undefined): string {
    const { g, config } = this;
    const { numHeads: H, numKvHeads: KV, headDim: D, hiddenSize: d } = config;
    const p = `layers.${i}.attn`;
    const heads = (name: string, count: number): string => {
      let y = g.op('Reshape', [this.linear(`${p}.${name}`, x, count * D, d, config.qkvBias), g.int64([0, 0, count, D])], `${p}.${name}_heads`); // [B, T, n, D]
      if (config.qkNorm && name !== 'v') y = this.rmsNorm(`${p}.${name}_norm`, y, this.weight(`${p}.${name}_norm.weight`, [D]));
      y = g.op('Transpose', [y], `${p}.${name}_bhtd`, { perm: [0, 2, 1, 3] }); // [B, n, T, D]
      return rope && name !== 'v' ? this.applyRope(`${p}.${name}`, y, rope) : y;
    };
    const q = heads('q', H);
    const key = g.op('Concat', [DECODER_IO.pastKey(i), heads('k', KV)], DECODER_IO.presentKey(i), { axis: 2 }, { exact: true });
    const value = g.op('Concat', [DECODER_IO.pastValue(i), heads('v', KV)], DECODER_IO.presentValue(i), { axis: 2 }, { exact: true });
    // Grouped-query attention by broadcasting: q [B, KV, G, T, D] against k/v [B, KV, 1, S, D].
    const grouped = g.op('Reshape', [q, g.int64([0, KV, H / KV, -1, D])], `${p}.q_grouped`);
    const keys = g.op('Unsqueeze', [key, g.int64([2])], `${p}.k_grouped`);
    const values = g.op('Unsqueeze', [value, g.int64([2])], `${p}.v_grouped`);
    const keysT = g.op('Transpose', [keys], `${p}.k_t`, { perm: [0, 1, 2, 4, 3] });
    const scores = g.op('Mul', [g.op('MatMul', [grouped, keysT], `${p}.qk`), g.float(`${p}.scale`, [], [1 / Math.sqrt(D)])], `${p}.scores`);
    const probs = g.op('Softmax', [g.op('Add', [scores, bias], `${p}.masked_scores`)], `${p}.probs`, { axis: -1 });
    const context = g.op('MatMul', [probs, values], `${p}.context`); // [B, KV, G, T, D]
    const merged = g.op('Reshape', [context, g.int64([0, H, -1, D])], `${p}.context_heads`);
    const tokens = g.op('Transpose', [merged], `${p}.context_bthd`, { perm: [0, 2, 1, 3] });
    const flat = g.op('Reshape', [tokens, g.int64([0, 0, H * D])], `${p}.context_flat`);
    return this.linear(`${p}.o`, flat, d, H * D, config.projectionBias);
  }

  /** x·cos + rotate_half(x)·sin, rotate_half(x) = [−x₂, x₁]. */
  private applyRope(path: string, x: string, rope: Rope): string {
    const { g } = this;
    const [first, second] = g.opMulti('Split', [x], [`${path}.half1`, `${path}.half2`], { axis: -1 });
    const rotated = g.op('Concat', [g.op('Neg', [second], `${path}.neg_half2`), first], `${path}.rotated`, { axis: -1 });
    return g.op('Add', [g.op('Mul', [x, rope.cos], `${path}.x_cos`), g.op('Mul', [rotated, rope.sin], `${path}.rot_sin`)], `${path}.rope`);
  }

  private mlp(prefix: string, x: string): string {
    const { g, config } = this;
    const { hiddenSize: d, intermediateSize: ff, projectionBias: bias } = config;
    const p = `${prefix}.mlp`;
    let hidden: string;
    if (config.mlp === 'swiglu') {
      const gate = this.linear(`${p}.gate`, x, ff, d, bias);
      const silu = g.op('Mul', [gate, g.op('Sigmoid', [gate], `${p}.gate_sigmoid`)], `${p}.gate_silu`);
      hidden = g.op('Mul', [silu, this.linear(`${p}.up`, x, ff, d, bias)], `${p}.hidden`);
    } else {
      hidden = this.geluTanh(p, this.linear(`${p}.up`, x, ff, d, bias));
    }
    return this.linear(`${p}.down`, hidden, d, ff, bias);
  }

  /** GPT-2's gelu_new: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
  private geluTanh(p: string, x: string): string {
    const { g } = this;
    const cube = g.op('Mul', [g.op('Mul', [x, x], `${p}.x2`), x], `${p}.x3`);
    const inner = g.op('Add', [x, g.op('Mul', [cube, g.float(`${p}.gelu_c`, [], [0.044715])], `${p}.cx3`)], `${p}.inner`);
    const scaled = g.op('Mul', [inner, g.float(`${p}.gelu_k`, [], [Math.sqrt(2 / Math.PI)])], `${p}.inner_scaled`);
    const onePlus = g.op('Add', [g.op('Tanh', [scaled], `${p}.tanh`), g.float(`${p}.one`, [], [1])], `${p}.one_plus`);
    return g.op('Mul', [g.op('Mul', [x, onePlus], `${p}.x_one_plus`), g.float(`${p}.half`, [], [0.5])], `${p}.gelu`);
  }
}

type Rope = { cos: string; sin: string };

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
