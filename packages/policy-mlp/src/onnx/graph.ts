import type { HostTensors } from '@rlft/nn';
import { ObservationNormalization } from '../obs-normalization.js';
import { hostTensor, layerSizes } from '../params.js';
import { actionDim, type MlpPolicySpec } from '../spec.js';
import { OnnxAttributeType, OnnxDataType, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './schema.js';

/** ONNX versions written: opset 17 (Clip with min/max inputs, ArgMax with keepdims), IR 8. */
export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
/** Metadata key under which the exported file carries its `MlpPolicySpec` as JSON. */
export const ONNX_POLICY_METADATA_KEY = 'rlft.policy';

/** Names of the graph's inputs and outputs: what an ONNX runtime user feeds and reads. */
export const ONNX_NAMES = { obs: 'obs', logits: 'logits', mean: 'mean', action: 'action' } as const;

/**
 * The actor as an ONNX graph: `obs` [batch, obsDim] float32 → (normalisation with the frozen
 * statistics as constants, then Clip) → Gemm + Tanh/Relu layers → `logits` (discrete) or
 * `mean` (continuous) → `action`: ArgMax (+ the space's start) as int64, or the mean clipped
 * into the Box's bounds. The critic is left out: acting needs only the actor.
 */
export function buildOnnxModel(spec: MlpPolicySpec, tensors: HostTensors, producerVersion: string): OnnxModel {
  const graph = new GraphBuilder();
  let x: string = ONNX_NAMES.obs;
  if (spec.obsNormalization) {
    const norm = ObservationNormalization.fromTensors(tensors, spec.obsNormalization, spec.obsDim);
    const mean = graph.floatConstant('obs_rms.mean', [spec.obsDim], norm.mean);
    const std = graph.floatConstant('obs_rms.std', [spec.obsDim], norm.std);
    const low = graph.floatConstant('obs_clip.min', [], [-norm.clip]);
    const high = graph.floatConstant('obs_clip.max', [], [norm.clip]);
    const centred = graph.node('Sub', [x, mean], 'obs_centred');
    const scaled = graph.node('Div', [centred, std], 'obs_scaled');
    x = graph.node('Clip', [scaled, low, high], 'obs_normalized');
  }
  const sizes = layerSizes(spec, 'actor');
  const outputName = spec.action.type === 'discrete' ? ONNX_NAMES.logits : ONNX_NAMES.mean;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const last = l + 2 === sizes.length;
    const w = graph.floatConstant(`actor.${l}.w`, [sizes[l], sizes[l + 1]], hostTensor(tensors, `actor.${l}.w`, [sizes[l], sizes[l + 1]]));
    const b = graph.floatConstant(`actor.${l}.b`, [sizes[l + 1]], hostTensor(tensors, `actor.${l}.b`, [sizes[l + 1]]));
    x = graph.node('Gemm', [x, w, b], last ? outputName : `actor.${l}.linear`);
    if (!last) x = graph.node(spec.activation === 'tanh' ? 'Tanh' : 'Relu', [x], `actor.${l}.${spec.activation}`);
  }
  const outputs: OnnxValueInfo[] = [tensorInfo(outputName, OnnxDataType.FLOAT, ['batch', actionDim(spec)])];
  if (spec.action.type === 'discrete') {
    const { start } = spec.action;
    const argmaxName = start === 0 ? ONNX_NAMES.action : 'action_index';
    graph.node('ArgMax', [x], argmaxName, [
      { name: 'axis', type: OnnxAttributeType.INT, i: 1 },
      { name: 'keepdims', type: OnnxAttributeType.INT, i: 0 },
    ]);
    if (start !== 0) graph.node('Add', [argmaxName, graph.int64Constant('action_start', [], [start])], ONNX_NAMES.action);
    outputs.push(tensorInfo(ONNX_NAMES.action, OnnxDataType.INT64, ['batch']));
  } else {
    const { dim, low, high } = spec.action;
    const capped = graph.node('Min', [x, graph.floatConstant('action_high', [dim], high)], 'action_capped');
    graph.node('Max', [capped, graph.floatConstant('action_low', [dim], low)], ONNX_NAMES.action);
    outputs.push(tensorInfo(ONNX_NAMES.action, OnnxDataType.FLOAT, ['batch', dim]));
  }
  return {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'rlft',
    producerVersion,
    docString: `rlft MLP policy (${spec.activation}, actor ${[spec.obsDim, ...spec.actorHidden, actionDim(spec)].join('-')}); outputs '${outputName}' and the deterministic 'action'`,
    graph: {
      name: 'mlp_policy',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [tensorInfo(ONNX_NAMES.obs, OnnxDataType.FLOAT, ['batch', spec.obsDim])],
      output: outputs,
    },
    metadataProps: [{ key: ONNX_POLICY_METADATA_KEY, value: JSON.stringify(spec) }],
  };
}

function tensorInfo(name: string, elemType: number, shape: (number | string)[]): OnnxValueInfo {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Collects nodes and constant tensors in topological order. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];

  node(opType: string, input: string[], output: string, attribute?: OnnxNode['attribute']): string {
    this.nodes.push({ name: `${output}/${opType}`, opType, input, output: [output], ...(attribute ? { attribute } : {}) });
    return output;
  }

  floatConstant(name: string, dims: number[], values: ArrayLike<number>): string {
    return this.constant(name, dims, OnnxDataType.FLOAT, new Uint8Array(Float32Array.from(values).buffer));
  }

  int64Constant(name: string, dims: number[], values: number[]): string {
    return this.constant(name, dims, OnnxDataType.INT64, new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer));
  }

  private constant(name: string, dims: number[], dataType: number, bytes: Uint8Array): string {
    if (!LITTLE_ENDIAN) throw new Error('ONNX export needs a little-endian machine: raw tensor data is little-endian and is copied byte for byte');
    this.initializers.push({ name, dims, dataType, rawData: bytes });
    return name;
  }
}
