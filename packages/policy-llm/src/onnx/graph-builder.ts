import { OnnxAttributeType, OnnxDataType, type OnnxAttribute, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from '@rlft/policy-mlp';

/**
 * A small ONNX graph builder: nodes in topological order, constants as initializers, unique
 * value names from a prefix. Attributes are written as plain numbers / number lists.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export type AttributeValue = number | number[];
/** Attributes by name; integers are INT, non-integers FLOAT, arrays INTS. `floats` names force FLOAT. */
export type Attributes = Record<string, AttributeValue>;

/** Receives the bytes of large tensors kept outside the model file; returns where they went. */
export interface ExternalDataSink {
  /** File name next to the model file (the `location` ONNX records). */
  readonly location: string;
  /** Tensors of at least this many bytes go to the sink. */
  readonly minBytes: number;
  append(bytes: Uint8Array): { offset: number; length: number };
}

export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  /** Bytes of tensor data held in the model message itself. */
  inlineBytes = 0;
  private readonly used = new Set<string>();
  private readonly int64Cache = new Map<string, string>();

  constructor(private readonly sink?: ExternalDataSink) {}

  /** A fresh value name from `hint` (suffixed when taken). */
  name(hint: string): string {
    let candidate = hint;
    for (let i = 1; this.used.has(candidate); i++) candidate = `${hint}_${i}`;
    this.used.add(candidate);
    return candidate;
  }

  /** Reserve a fixed name (graph inputs and outputs). */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`Internal error: ONNX value name '${name}' is used twice`);
    this.used.add(name);
    return name;
  }

  /** One op with one output; `output` is a hint unless `exact` (graph outputs). */
  op(opType: string, inputs: string[], output: string, attributes: Attributes = {}, options: { exact?: boolean; floatAttributes?: string[] } = {}): string {
    const out = options.exact ? this.reserve(output) : this.name(output);
    this.nodes.push(this.makeNode(opType, inputs, [out], attributes, options.floatAttributes ?? []));
    return out;
  }

  /** One op with several outputs (e.g. Split). */
  opMulti(opType: string, inputs: string[], outputs: string[], attributes: Attributes = {}): string[] {
    const outs = outputs.map((hint) => this.name(hint));
    this.nodes.push(this.makeNode(opType, inputs, outs, attributes, []));
    return outs;
  }

  /** A float32 constant under a fresh name from `hint` (or exactly `hint` with `exact`). */
  float(hint: string, dims: number[], values: ArrayLike<number>, options: { exact?: boolean } = {}): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return this.constant(options.exact ? this.reserve(hint) : this.name(hint), dims, OnnxDataType.FLOAT, bytes);
  }

  /** An int64 constant; identical small constants are shared. */
  int64(values: number[], dims: number[] = [values.length]): string {
    const key = `${dims.join('x')}:${values.join(',')}`;
    const known = this.int64Cache.get(key);
    if (known) return known;
    const bytes = new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer);
    const name = this.constant(this.name(`const_i64_${values.join('_').replace(/-/g, 'm') || 'empty'}`), dims, OnnxDataType.INT64, bytes);
    this.int64Cache.set(key, name);
    return name;
  }

  /** Adds an initializer; `bytes` are copied (inline) or written out (external) before this returns. */
  private constant(name: string, dims: number[], dataType: number, bytes: Uint8Array): string {
    if (!LITTLE_ENDIAN) throw new Error('ONNX export needs a little-endian machine: raw tensor data is little-endian and is copied byte for byte');
    if (this.sink && bytes.byteLength >= this.sink.minBytes) {
      const { offset, length } = this.sink.append(bytes);
      const externalData = [
        { key: 'location', value: this.sink.location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(length) },
      ];
      this.initializers.push({ name, dims, dataType, externalData, dataLocation: 1 });
    } else {
      this.initializers.push({ name, dims, dataType, rawData: bytes.slice() });
      this.inlineBytes += bytes.byteLength;
    }
    return name;
  }

  private makeNode(opType: string, input: string[], output: string[], attributes: Attributes, floatAttributes: string[]): OnnxNode {
    const attribute: OnnxAttribute[] = Object.entries(attributes).map(([name, value]) => {
      if (Array.isArray(value)) return { name, type: OnnxAttributeType.INTS, ints: value };
      if (Number.isInteger(value) && !floatAttributes.includes(name)) return { name, type: OnnxAttributeType.INT, i: value };
      return { name, type: OnnxAttributeType.FLOAT, f: value };
    });
    return { name: `${output[0]}/${opType}`, opType, input, output, ...(attribute.length ? { attribute } : {}) };
  }
}

export function tensorInfo(name: string, elemType: number, shape: (number | string)[]): OnnxValueInfo {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}
