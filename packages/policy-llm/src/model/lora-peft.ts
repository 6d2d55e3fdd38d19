import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RlftError, UnsupportedError, writeFileAtomic } from '@rlft/core';
import { disposeTree, fromFloat32, SafetensorsFile, toEngine, writeSafetensorsFile, type SafetensorsTensor } from '@rlft/nn';
import { hfBlockModule, hfNameCandidates, loraTargetsOf, peftTargetName } from './hf-names.js';
import { checkLoraShapes, loraProjectionShape, validateLoraConfig } from './lora.js';
import type { Architecture, LoraConfig, LoraLayer, LoraParams, LoraTarget, TransformerConfig } from './types.js';

/*
 * LoRA adapters in the layout Hugging Face PEFT saves with `save_pretrained` (safetensors):
 *   adapter_config.json        peft_type "LORA", r, lora_alpha, target_modules, …
 *   adapter_model.safetensors  base_model.model.<module path>.lora_A.weight [r, in]
 *                              base_model.model.<module path>.lora_B.weight [out, r]
 * <module path> is the Hugging Face name in the *ForCausalLM model (model.layers.0.self_attn.q_proj,
 * transformer.h.0.attn.c_attn). GPT-2's Conv1D stores its own weight as [in, out], but PEFT
 * builds lora_A/lora_B as nn.Linear for it too, so the adapter tensors have the same [r, in] /
 * [out, r] layout as for Linear; `fan_in_fan_out: true` only tells PEFT to transpose ΔW when
 * merging into the Conv1D weight, so the loader ignores it.
 */

export const PEFT_ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const PEFT_ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

/** A PEFT adapter directory that cannot be read as written; the message names the file and what is wrong. */
export class PeftAdapterError extends RlftError {
  constructor(message: string, options?: ErrorOptions) {
    super('PEFT_ADAPTER', message, options);
  }
}

export interface SavePeftAdapterOptions {
  config: TransformerConfig;
  lora: LoraParams;
  loraConfig: LoraConfig;
  /** Written as `base_model_name_or_path` (PEFT uses it to find the base when none is given). */
  baseModelNameOrPath?: string;
  /** Tensor precision on disk (default F32). */
  dtype?: 'F32' | 'F16' | 'BF16';
}

export interface LoadedPeftAdapter {
  lora: LoraParams;
  loraConfig: LoraConfig;
  baseModelNameOrPath?: string;
}

/**
 * `target_modules` for rlft targets: PEFT matches an entry against a module's full name or its
 * dot-separated suffix, so a name two targets share (GPT-2's `c_proj` is both attn.c_proj and
 * mlp.c_proj) is written with its parent (`attn.c_proj`) to adapt only the intended one.
 */
export function peftTargetModules(arch: Architecture, targets: readonly LoraTarget[]): string[] {
  const familyNames = loraTargetsOf(arch).map((target) => peftTargetName(arch, target));
  return targets.map((target) => {
    const name = peftTargetName(arch, target);
    if (name === undefined) throw new UnsupportedError(`LoRA target '${target}' is not a projection of ${arch}; it offers ${loraTargetsOf(arch).join(', ')}`);
    if (familyNames.filter((other) => other === name).length === 1) return name;
    const path = hfBlockModule(arch, 0, target)!;
    return path.slice(path.indexOf('.0.') + 3);
  });
}

/** PEFT's tensor name of an adapter matrix: `base_model.model.<module path>.lora_A.weight`. */
export function peftTensorName(arch: Architecture, layer: number, target: LoraTarget, matrix: 'A' | 'B'): string {
  return `base_model.model.${hfBlockModule(arch, layer, target)}.lora_${matrix}.weight`;
}

/** Write `dir/adapter_config.json` and `dir/adapter_model.safetensors` as PEFT does, each atomically. */
export function savePeftAdapter(dir: string, options: SavePeftAdapterOptions): void {
  const { config, lora, loraConfig, baseModelNameOrPath, dtype = 'F32' } = options;
  validateLoraConfig(config, loraConfig);
  checkLoraShapes(config, lora, loraConfig);
  const arch = config.architecture;
  const tensors = new Map<string, SafetensorsTensor>();
  lora.layers.forEach((adapters, layer) => {
    for (const target of loraConfig.targets) {
      const pair = adapters[target]!;
      for (const matrix of ['A', 'B'] as const) {
        const values = Float32Array.from(pair[matrix].ref.dataSync() as ArrayLike<number>);
        tensors.set(peftTensorName(arch, layer, target, matrix), fromFloat32(values, [...pair[matrix].shape], dtype));
      }
    }
  });
  mkdirSync(dir, { recursive: true });
  writeSafetensorsFile(join(dir, PEFT_ADAPTER_WEIGHTS_FILE), tensors, { format: 'pt' });
  writeFileAtomic(join(dir, PEFT_ADAPTER_CONFIG_FILE), `${JSON.stringify(peftAdapterConfig(config, loraConfig, baseModelNameOrPath), null, 2)}\n`);
}

/** adapter_config.json's fields as PEFT 0.x writes them for a plain LoRA (keys sorted, as its `to_json_string`). */
export function peftAdapterConfig(config: TransformerConfig, loraConfig: LoraConfig, baseModelNameOrPath?: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: baseModelNameOrPath ?? null,
    bias: 'none',
    // PEFT sets it for GPT-2's Conv1D (weights stored [in, out]) and clears it for nn.Linear.
    fan_in_fan_out: config.architecture === 'gpt2',
    inference_mode: true,
    init_lora_weights: true,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    loftq_config: {},
    lora_alpha: loraConfig.alpha,
    lora_dropout: loraConfig.dropout ?? 0,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: null,
    peft_type: 'LORA',
    r: loraConfig.r,
    rank_pattern: {},
    revision: null,
    target_modules: peftTargetModules(config.architecture, loraConfig.targets),
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: false,
  };
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Read an adapter saved by PEFT (or by {@link savePeftAdapter}) for a model of `config`.
 * Tensor names may carry PEFT's adapter name (`lora_A.default.weight`) or not; F32, F16 and
 * BF16 (and F64) tensors load as float32. Features beyond plain LoRA on every layer
 * (regex targets, layers_to_transform, rank/alpha patterns, DoRA, rsLoRA, trained biases,
 * modules_to_save) are refused with an error naming them.
 */
export function loadPeftAdapter(dir: string, config: TransformerConfig): LoadedPeftAdapter {
  const configPath = join(dir, PEFT_ADAPTER_CONFIG_FILE);
  const weightsPath = join(dir, PEFT_ADAPTER_WEIGHTS_FILE);
  if (!existsSync(configPath)) throw new PeftAdapterError(`No ${PEFT_ADAPTER_CONFIG_FILE} in ${dir}; a PEFT adapter directory holds ${PEFT_ADAPTER_CONFIG_FILE} and ${PEFT_ADAPTER_WEIGHTS_FILE}`);
  if (!existsSync(weightsPath)) {
    const pickled = existsSync(join(dir, 'adapter_model.bin')) ? ' (found adapter_model.bin: only safetensors is read; save with safe_serialization=True)' : '';
    throw new PeftAdapterError(`No ${PEFT_ADAPTER_WEIGHTS_FILE} in ${dir}${pickled}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new PeftAdapterError(`${configPath} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const { loraConfig, baseModelNameOrPath } = parsePeftAdapterConfig(raw, config, configPath);
  using file = SafetensorsFile.open(weightsPath);
  const lora = readAdapterTensors(file, config, loraConfig);
  return baseModelNameOrPath === undefined ? { lora, loraConfig } : { lora, loraConfig, baseModelNameOrPath };
}

/** The LoRA settings of an adapter_config.json for a model of `config`; `source` names the file in errors. */
export function parsePeftAdapterConfig(raw: unknown, config: TransformerConfig, source = PEFT_ADAPTER_CONFIG_FILE): { loraConfig: LoraConfig; baseModelNameOrPath?: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PeftAdapterError(`${source} must hold a JSON object`);
  const fields = raw as Record<string, unknown>;
  if (fields.peft_type !== 'LORA') throw new UnsupportedError(`${source}: peft_type is ${JSON.stringify(fields.peft_type)}; only "LORA" adapters load`);

  const unsupported = unsupportedFeatures(fields);
  if (unsupported.length) throw new UnsupportedError(`${source} uses PEFT features rlft's LoRA does not support: ${unsupported.join('; ')}`);

  const targetModules = fields.target_modules;
  if (!Array.isArray(targetModules) || !targetModules.every((m) => typeof m === 'string') || targetModules.length === 0) {
    throw new PeftAdapterError(`${source}: target_modules must be a non-empty list of module names, got ${JSON.stringify(targetModules)}`);
  }
  const { r, lora_alpha: alpha, lora_dropout: dropout = 0 } = fields;
  if (typeof r !== 'number' || typeof alpha !== 'number' || typeof dropout !== 'number') {
    throw new PeftAdapterError(`${source}: r, lora_alpha and lora_dropout must be numbers, got r=${JSON.stringify(r)}, lora_alpha=${JSON.stringify(alpha)}, lora_dropout=${JSON.stringify(dropout)}`);
  }
  const loraConfig: LoraConfig = { r, alpha, targets: targetsFromModules(config.architecture, targetModules as string[], source), dropout };
  validateLoraConfig(config, loraConfig);
  const base = fields.base_model_name_or_path;
  return typeof base === 'string' ? { loraConfig, baseModelNameOrPath: base } : { loraConfig };
}

/** Each config field that asks for more than plain LoRA on every layer, described. */
function unsupportedFeatures(fields: Record<string, unknown>): string[] {
  const isSet = (value: unknown) =>
    value !== undefined && value !== null && value !== false && !(Array.isArray(value) && value.length === 0) && !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0);
  const problems: string[] = [];
  if (typeof fields.target_modules === 'string') problems.push(`target_modules as a pattern (${JSON.stringify(fields.target_modules)}); list the module names instead, e.g. ["q_proj", "v_proj"]`);
  if (fields.use_rslora === true) problems.push('use_rslora (scaling alpha/√r)');
  if (fields.use_dora === true) problems.push('use_dora (DoRA magnitude vectors)');
  if (fields.bias !== undefined && fields.bias !== 'none') problems.push(`bias ${JSON.stringify(fields.bias)} (trained biases); only "none"`);
  for (const key of ['rank_pattern', 'alpha_pattern', 'layers_to_transform', 'layers_pattern', 'modules_to_save', 'layer_replication', 'exclude_modules', 'target_parameters', 'trainable_token_indices']) {
    if (isSet(fields[key])) problems.push(`${key} ${JSON.stringify(fields[key])}`);
  }
  if (fields.lora_bias === true) problems.push('lora_bias (a bias on lora_B)');
  return problems;
}

/** rlft targets whose module a target_modules entry names, as PEFT matches them (exact name or dotted suffix). */
function targetsFromModules(arch: Architecture, modules: string[], source: string): LoraTarget[] {
  const offered = loraTargetsOf(arch);
  const matches = (target: LoraTarget, entry: string) => {
    const path = hfBlockModule(arch, 0, target)!;
    return path === entry || path.endsWith(`.${entry}`);
  };
  const unknown = modules.filter((entry) => !offered.some((target) => matches(target, entry)));
  if (unknown.length) {
    throw new UnsupportedError(
      `${source}: target_modules ${unknown.map((m) => `'${m}'`).join(', ')} name no projection rlft adapts in ${arch}; supported: ${peftTargetModules(arch, offered).join(', ')}`,
    );
  }
  return offered.filter((target) => modules.some((entry) => matches(target, entry)));
}

/** Every layer's adapters for `loraConfig.targets`; errors name missing, misshapen and unexpected tensors. */
function readAdapterTensors(file: SafetensorsFile, config: TransformerConfig, loraConfig: LoraConfig): LoraParams {
  const arch = config.architecture;
  const used = new Set<string>();
  const layers: LoraLayer[] = [];
  try {
    for (let layer = 0; layer < config.numLayers; layer++) {
      const adapters: LoraLayer = {};
      layers.push(adapters);
      for (const target of loraConfig.targets) {
        const [out, inFeatures] = loraProjectionShape(config, target);
        const expected = { A: [loraConfig.r, inFeatures], B: [out, loraConfig.r] };
        const read = (matrix: 'A' | 'B'): { shape: number[]; data: Float32Array<ArrayBuffer> } => {
          const name = findTensor(file, arch, layer, target, matrix);
          used.add(name);
          const tensor = file.readFloat32(name);
          if (tensor.shape.join() !== expected[matrix].join()) {
            throw new PeftAdapterError(
              `${file.path}: '${name}' has shape [${tensor.shape.join(', ')}], expected [${expected[matrix].join(', ')}] (r=${loraConfig.r}; ${target} is [${out}, ${inFeatures}] in this model)`,
            );
          }
          return tensor;
        };
        // Both read and checked on the host before either reaches the engine, so a failure leaks nothing.
        const [A, B] = [read('A'), read('B')];
        adapters[target] = { A: toEngine(A.data, A.shape), B: toEngine(B.data, B.shape) };
      }
    }
  } catch (error) {
    disposeTree(layers);
    throw error;
  }
  const unexpected = file.names.filter((name) => !used.has(name));
  if (unexpected.length) {
    disposeTree(layers);
    throw new PeftAdapterError(
      `${file.path}: ${unexpected.length} tensors match no adapter of targets ${loraConfig.targets.join(', ')} in a ${config.numLayers}-layer ${arch}: ${unexpected.slice(0, 6).join(', ')}${unexpected.length > 6 ? ', …' : ''}`,
    );
  }
  return { layers };
}

/** The stored name of one adapter matrix: with or without PEFT's `.default`, with or without the `transformer.`/`model.` prefix. */
function findTensor(file: SafetensorsFile, arch: Architecture, layer: number, target: LoraTarget, matrix: 'A' | 'B'): string {
  const candidates = hfNameCandidates(hfBlockModule(arch, layer, target)!).flatMap((module) =>
    [`lora_${matrix}.weight`, `lora_${matrix}.default.weight`].map((leaf) => `base_model.model.${module}.${leaf}`),
  );
  const found = candidates.find((name) => file.entries.has(name));
  if (found === undefined) throw new PeftAdapterError(`${file.path}: no tensor '${candidates[0]}' (the adapter for layers.${layer}.${target}); the file has ${file.entries.size} tensors`);
  return found;
}
