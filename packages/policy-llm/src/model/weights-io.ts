import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RlftError, writeFileAtomic } from '@rlft/core';
import { fromFloat32, leavesWithPaths, SafetensorsFile, toEngine, writeSafetensors, type SafetensorsTensor } from '@rlft/nn';
import { configFromHf, configToHf } from './config.js';
import { hfBlockModule, hfNameCandidates, hfTopModule, type BlockModule, type TopModule } from './hf-names.js';
import { buildParams, parameterShapes } from './init.js';
import type { TransformerConfig, TransformerParams } from './types.js';

/**
 * Hugging Face checkpoints on local disk: `config.json` plus `model.safetensors`, or shards
 * listed in `model.safetensors.index.json`. Nothing is ever downloaded.
 */

export class ModelWeightsError extends RlftError {
  constructor(message: string, options?: ErrorOptions) {
    super('MODEL_WEIGHTS', message, options);
  }
}

export type WeightsDtype = 'F32' | 'BF16' | 'F16';
export const WEIGHTS_DTYPES: readonly WeightsDtype[] = ['F32', 'BF16', 'F16'];
const TORCH_DTYPE: Record<WeightsDtype, string> = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' };

const SINGLE_FILE = 'model.safetensors';
const INDEX_FILE = 'model.safetensors.index.json';
const LAYOUT_HINT = 'a model directory needs config.json and model.safetensors (or model.safetensors.index.json with its shards)';

/** Buffers some checkpoints carry that are not parameters (GPT-2's causal masks, old Llama's inv_freq). */
const IGNORED_SUFFIXES = ['.attn.bias', '.attn.masked_bias', '.rotary_emb.inv_freq'];

type HostTensor = { shape: number[]; data: Float32Array<ArrayBuffer> };

/**
 * One Hugging Face tensor and the rlft tensors it holds: usually one; GPT-2's c_attn holds q, k
 * and v concatenated along the output axis. GPT-2's Conv1D stores weights [in, out] (the
 * transpose of torch.nn.Linear's [out, in], which rlft uses).
 */
type TensorPlanEntry = { hf: string; parts: string[]; transposed: boolean };

const BLOCK_MODULES: [BlockModule, string][] = [
  ['attn_norm', 'attn_norm'],
  ['q', 'attn.q'],
  ['k', 'attn.k'],
  ['v', 'attn.v'],
  ['o', 'attn.o'],
  ['q_norm', 'attn.q_norm'],
  ['k_norm', 'attn.k_norm'],
  ['mlp_norm', 'mlp_norm'],
  ['gate', 'mlp.gate'],
  ['up', 'mlp.up'],
  ['down', 'mlp.down'],
];

/** Every tensor of `config`'s checkpoint, in rlft's tree order. */
function tensorPlan(config: TransformerConfig, shapes: Map<string, number[]>): TensorPlanEntry[] {
  const gpt2 = config.architecture === 'gpt2';
  const plan: TensorPlanEntry[] = [];
  const top = (module: TopModule, path: string): void => {
    const hf = hfTopModule(config.architecture, module);
    if (hf === undefined) throw new ModelWeightsError(`internal: no Hugging Face name for ${module} of ${config.architecture}`);
    if (shapes.has(path)) plan.push({ hf: `${hf}.weight`, parts: [path], transposed: false });
  };
  top('embed', 'embed');
  if (config.positions === 'learned') top('position_embed', 'position_embed');
  for (let i = 0; i < config.numLayers; i++) {
    const modules = gpt2 ? BLOCK_MODULES.filter(([m]) => m !== 'q' && m !== 'k' && m !== 'v') : BLOCK_MODULES;
    for (const suffix of ['weight', 'bias']) {
      if (gpt2) {
        const parts = ['q', 'k', 'v'].map((m) => `layers.${i}.attn.${m}.${suffix}`);
        if (parts.every((p) => shapes.has(p))) plan.push({ hf: `${hfBlockModule('gpt2', i, 'qkv')}.${suffix}`, parts, transposed: suffix === 'weight' });
      }
      for (const [module, path] of modules) {
        const rlft = `layers.${i}.${path}.${suffix}`;
        const hf = hfBlockModule(config.architecture, i, module);
        if (!shapes.has(rlft)) continue;
        if (hf === undefined) throw new ModelWeightsError(`internal: no Hugging Face name for ${module} of ${config.architecture}`);
        const linear = !module.endsWith('norm');
        plan.push({ hf: `${hf}.${suffix}`, parts: [rlft], transposed: gpt2 && linear && suffix === 'weight' });
      }
    }
  }
  const finalNorm = hfTopModule(config.architecture, 'final_norm');
  for (const suffix of ['weight', 'bias']) {
    if (shapes.has(`final_norm.${suffix}`)) plan.push({ hf: `${finalNorm}.${suffix}`, parts: [`final_norm.${suffix}`], transposed: false });
  }
  top('lm_head', 'lm_head');
  return plan;
}

function shapeMap(config: TransformerConfig): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node) && node.every((d) => typeof d === 'number')) out.set(path, node as number[]);
    else if (Array.isArray(node)) node.forEach((child, i) => walk(child, `${path}.${i}`));
    else if (node && typeof node === 'object') for (const [key, child] of Object.entries(node)) if (child !== undefined) walk(child, path ? `${path}.${key}` : key);
  };
  walk(parameterShapes(config), '');
  return out;
}

/** The stored shape of a plan entry: parts concatenated along the output axis, Conv1D weights transposed. */
function storedShape(entry: TensorPlanEntry, shapes: Map<string, number[]>): number[] {
  const parts = entry.parts.map((p) => shapes.get(p)!);
  const shape = [parts.reduce((n, s) => n + s[0], 0), ...parts[0].slice(1)];
  return entry.transposed && shape.length === 2 ? [shape[1], shape[0]] : shape;
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** The tensors of a checkpoint directory, single-file or sharded, resolved by name. */
class CheckpointReader implements Disposable {
  private readonly files = new Map<string, SafetensorsFile>();
  private readonly location = new Map<string, string>(); // tensor name → file

  constructor(readonly dir: string) {
    const single = join(dir, SINGLE_FILE);
    const index = join(dir, INDEX_FILE);
    if (existsSync(single)) {
      const file = this.open(single);
      for (const name of file.names) this.location.set(name, single);
    } else if (existsSync(index)) {
      const weightMap = (readJson(index) as { weight_map?: Record<string, string> }).weight_map;
      if (!weightMap || typeof weightMap !== 'object') throw new ModelWeightsError(`${index} has no "weight_map" object (tensor name → shard file)`);
      for (const [name, file] of Object.entries(weightMap)) this.location.set(name, join(dir, file));
    } else {
      throw new ModelWeightsError(`${single} not found (nor ${INDEX_FILE}): ${LAYOUT_HINT}`);
    }
  }

  get names(): string[] {
    return [...this.location.keys()];
  }

  /** The stored name of `name`, trying it with and without the `transformer.`/`model.` prefix. */
  resolve(name: string): string | undefined {
    return hfNameCandidates(name).find((candidate) => this.location.has(candidate));
  }

  read(name: string): HostTensor {
    const path = this.location.get(name)!;
    if (!existsSync(path)) throw new ModelWeightsError(`${path} not found: ${join(this.dir, INDEX_FILE)} lists it as the shard holding '${name}'`);
    return this.open(path).readFloat32(name);
  }

  private open(path: string): SafetensorsFile {
    let file = this.files.get(path);
    if (!file) {
      file = SafetensorsFile.open(path);
      this.files.set(path, file);
    }
    return file;
  }

  [Symbol.dispose](): void {
    for (const file of this.files.values()) file.close();
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ModelWeightsError(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Config and parameters of a Hugging Face model directory (GPT-2, Llama, Qwen2, Qwen3). */
export function loadTransformerWeights(dir: string): { config: TransformerConfig; params: TransformerParams } {
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) throw new ModelWeightsError(`${configPath} not found: ${LAYOUT_HINT}`);
  let config = configFromHf(readJson(configPath));
  using reader = new CheckpointReader(dir);
  const lmHead = hfTopModule(config.architecture, 'lm_head')!;
  // Checkpoints of tied models usually omit lm_head; an untied config without one is tied too.
  if (!config.tieEmbeddings && reader.resolve(`${lmHead}.weight`) === undefined) config = { ...config, tieEmbeddings: true };

  const shapes = shapeMap(config);
  const host = new Map<string, HostTensor>();
  const used = new Set<string>();
  for (const entry of tensorPlan(config, shapes)) {
    const name = reader.resolve(entry.hf);
    if (name === undefined) throw new ModelWeightsError(`${dir}: the checkpoint has no tensor '${entry.hf}' (needed by this ${config.architecture} config)`);
    used.add(name);
    const tensor = reader.read(name);
    const expected = storedShape(entry, shapes);
    if (tensor.shape.length !== expected.length || tensor.shape.some((d, i) => d !== expected[i])) {
      throw new ModelWeightsError(`${dir}: tensor '${name}' has shape [${tensor.shape.join(', ')}], but config.json implies [${expected.join(', ')}]`);
    }
    const data = entry.transposed && expected.length === 2 ? transpose2d(tensor.data, expected[0], expected[1]) : tensor.data;
    let offset = 0;
    for (const part of entry.parts) {
      const shape = shapes.get(part)!;
      const length = shape.reduce((a, b) => a * b, 1);
      host.set(part, { shape, data: data.slice(offset, offset + length) });
      offset += length;
    }
  }
  const unexpected = reader.names.filter((name) => !used.has(name) && !IGNORED_SUFFIXES.some((s) => name.endsWith(s)) && !(config.tieEmbeddings && name === `${lmHead}.weight`));
  if (unexpected.length > 0) {
    throw new ModelWeightsError(
      `${dir}: the checkpoint has ${unexpected.length} tensor(s) a ${config.architecture} model of this config does not use (${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', …' : ''}); is config.json right?`,
    );
  }
  const params = buildParams(config, (path) => {
    const tensor = host.get(path)!;
    return toEngine(tensor.data, tensor.shape);
  });
  return { config, params };
}

export interface SaveWeightsOptions {
  /** Stored precision (default F32). */
  dtype?: WeightsDtype;
  /** Split into shards of at most this many bytes of tensor data (with an index) when the model is larger; default 2 GB. */
  maxShardBytes?: number;
}

/**
 * Write `config.json` and `model.safetensors` (or shards and `model.safetensors.index.json`) in
 * Hugging Face names and layout, each file atomically, so that transformers can load the
 * directory. Does not consume `params`.
 */
export function saveTransformerWeights(dir: string, config: TransformerConfig, params: TransformerParams, options: SaveWeightsOptions = {}): void {
  const dtype = options.dtype ?? 'F32';
  if (!WEIGHTS_DTYPES.includes(dtype)) throw new ModelWeightsError(`Unknown weights dtype '${String(dtype)}'; allowed: ${WEIGHTS_DTYPES.join(', ')}`);
  const maxShardBytes = options.maxShardBytes ?? 2e9;
  if (!(maxShardBytes > 0)) throw new ModelWeightsError(`maxShardBytes must be > 0, got ${maxShardBytes}`);

  const shapes = shapeMap(config);
  const leaves = new Map(leavesWithPaths(params));
  const tensors: [string, SafetensorsTensor][] = [];
  for (const entry of tensorPlan(config, shapes)) {
    const chunks = entry.parts.map((part) => {
      const leaf = leaves.get(part);
      if (!leaf) throw new ModelWeightsError(`saveTransformerWeights: params lack '${part}', which this ${config.architecture} config has`);
      const expected = shapes.get(part)!;
      if (leaf.shape.length !== expected.length || leaf.shape.some((d, i) => d !== expected[i])) {
        throw new ModelWeightsError(`saveTransformerWeights: '${part}' has shape [${leaf.shape.join(', ')}], the config implies [${expected.join(', ')}]`);
      }
      return leaf.ref.dataSync() as Float32Array;
    });
    const joined = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    const shape = storedShape(entry, shapes);
    const data = entry.transposed && shape.length === 2 ? transpose2d(joined, shape[1], shape[0]) : joined;
    tensors.push([entry.hf, fromFloat32(data, shape, dtype)]);
  }

  writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify({ ...configToHf(config), torch_dtype: TORCH_DTYPE[dtype] }, null, 2)}\n`);
  const shards = splitIntoShards(tensors, maxShardBytes);
  const metadata = { format: 'pt' };
  if (shards.length === 1) {
    writeFileAtomic(join(dir, SINGLE_FILE), writeSafetensors(new Map(shards[0]), metadata));
    rmSync(join(dir, INDEX_FILE), { force: true });
    return;
  }
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  shards.forEach((shard, i) => {
    const file = `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`;
    writeFileAtomic(join(dir, file), writeSafetensors(new Map(shard), metadata));
    for (const [name, tensor] of shard) {
      weightMap[name] = file;
      totalSize += tensor.data.byteLength;
    }
  });
  writeFileAtomic(join(dir, INDEX_FILE), `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2)}\n`);
  // A stale single file would take precedence over the index when loading.
  rmSync(join(dir, SINGLE_FILE), { force: true });
}

/** Consecutive tensors grouped so that each group's data stays within `maxBytes` (a larger tensor gets a shard of its own). */
function splitIntoShards(tensors: [string, SafetensorsTensor][], maxBytes: number): [string, SafetensorsTensor][][] {
  const shards: [string, SafetensorsTensor][][] = [[]];
  let bytes = 0;
  for (const tensor of tensors) {
    const size = tensor[1].data.byteLength;
    if (bytes > 0 && bytes + size > maxBytes) {
      shards.push([]);
      bytes = 0;
    }
    shards[shards.length - 1].push(tensor);
    bytes += size;
  }
  return shards;
}
