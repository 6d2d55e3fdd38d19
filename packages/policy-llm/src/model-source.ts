import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RlftError } from '@rlft/core';
import { latestCheckpoint } from '@rlft/nn';

/**
 * What `--model` names, resolved once before anything loads:
 * - an OpenAI-compatible server (`http://…`, `https://…`);
 * - a model directory in Hugging Face layout (`config.json` + weights + tokenizer files);
 * - a LoRA adapter directory in PEFT layout (`adapter_config.json`), whose base model is the
 *   `base` option or the adapter's `base_model_name_or_path` when that is a local directory;
 * - an rlft run directory (its latest checkpoint) or one checkpoint directory, holding one of
 *   the above directly or under `model/`;
 * - `scratch:SIZE` (tiny, small, medium): an untrained from-scratch model with the built-in
 *   tokenizer, for smoke tests and benchmarks.
 */
export type ModelSource =
  | { kind: 'http'; url: string }
  | { kind: 'directory'; dir: string }
  | { kind: 'adapter'; dir: string; baseDir: string }
  | { kind: 'scratch'; size: string };

export class ModelSourceError extends RlftError {
  constructor(message: string) {
    super('BAD_MODEL', message);
  }
}

const WHAT = 'a model directory (config.json, *.safetensors, tokenizer.json), a LoRA adapter directory (adapter_config.json), an rlft run, an http(s):// URL of an OpenAI-compatible server, or scratch:SIZE';

export function resolveModelSource(model: string, options: { base?: string } = {}): ModelSource {
  if (/^https?:\/\//i.test(model)) {
    try {
      return { kind: 'http', url: new URL(model).toString() };
    } catch {
      throw new ModelSourceError(`--model ${model} is not a valid URL`);
    }
  }
  if (model.startsWith('scratch:')) return { kind: 'scratch', size: model.slice('scratch:'.length) };
  const path = resolve(model);
  if (!existsSync(path)) throw new ModelSourceError(`--model ${model}: no such directory; it takes ${WHAT}`);
  if (!statSync(path).isDirectory()) throw new ModelSourceError(`--model ${model} is a file; it takes ${WHAT}`);
  const found = modelDirectoryIn(path, options.base);
  if (found) return found;
  throw new ModelSourceError(`--model ${model} holds no model: neither config.json nor adapter_config.json is in it, nor in a checkpoint of it. It takes ${WHAT}`);
}

/** The model in `dir` itself, under `dir/model`, or in the latest checkpoint of a run / checkpoints directory. */
function modelDirectoryIn(dir: string, base: string | undefined): ModelSource | undefined {
  for (const candidate of [dir, join(dir, 'model')]) {
    // A saved model with its LoRA adapter: the base here, the adapter under adapter/.
    if (existsSync(join(candidate, 'adapter', 'adapter_config.json')) && isModelConfig(join(candidate, 'config.json'))) {
      return { kind: 'adapter', dir: join(candidate, 'adapter'), baseDir: base === undefined ? candidate : adapterBase(join(candidate, 'adapter'), base) };
    }
    if (existsSync(join(candidate, 'adapter_config.json'))) return { kind: 'adapter', dir: candidate, baseDir: adapterBase(candidate, base) };
    if (isModelConfig(join(candidate, 'config.json'))) return { kind: 'directory', dir: candidate };
  }
  const checkpoints = existsSync(join(dir, 'checkpoints')) ? join(dir, 'checkpoints') : dir;
  const latest = latestCheckpoint(checkpoints);
  if (latest && latest !== dir) return modelDirectoryIn(latest, base);
  return undefined;
}

/** A run directory also has a config.json (the run's settings); a model's names its model_type. */
function isModelConfig(configPath: string): boolean {
  if (!existsSync(configPath)) return false;
  try {
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { model_type?: unknown };
    return typeof config.model_type === 'string';
  } catch {
    return false;
  }
}

function adapterBase(adapterDir: string, base: string | undefined): string {
  if (base !== undefined) {
    const path = resolve(base);
    if (!existsSync(join(path, 'config.json'))) throw new ModelSourceError(`base model ${base} is not a model directory (no config.json)`);
    return path;
  }
  let declared: unknown;
  try {
    declared = (JSON.parse(readFileSync(join(adapterDir, 'adapter_config.json'), 'utf8')) as { base_model_name_or_path?: unknown }).base_model_name_or_path;
  } catch (error) {
    throw new ModelSourceError(`${join(adapterDir, 'adapter_config.json')} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof declared === 'string' && declared !== '') {
    const path = resolve(adapterDir, declared);
    if (existsSync(join(path, 'config.json'))) return path;
    throw new ModelSourceError(
      `the adapter in ${adapterDir} names its base model '${declared}', which is not a local model directory (nothing is downloaded); pass the base with --policy-opt base=DIR`,
    );
  }
  throw new ModelSourceError(`the adapter in ${adapterDir} does not name its base model; pass it with --policy-opt base=DIR`);
}
