import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { replaceDirectoryAtomic, writeFileAtomic, type RngState } from '@rlft/core';
import { readSafetensorsFile, toFloat32, writeSafetensorsFile, type SafetensorsTensor } from './safetensors.js';
import { treeFromHost, treeToHost, type HostTensors, type ParamTree, type TreeLike } from './tree.js';

/*
 * A checkpoint is one directory, swapped into place whole (built under a temporary name, then
 * renamed), so a save that dies halfway never leaves something that looks like a checkpoint:
 *   model.safetensors      parameters by dotted path (F32), plus extra named tensors
 *   optimizer.safetensors  Adam's moments as m.<path> / v.<path> (when given)
 *   state.json             counters, RNG states, config, metadata, and the list of the above
 */

export const CHECKPOINT_FORMAT = 'rlft-checkpoint';
export const CHECKPOINT_VERSION = 1;
const MODEL_FILE = 'model.safetensors';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FILE = 'state.json';

export interface CheckpointContent {
  params: TreeLike;
  /** More tensors for model.safetensors under their own names (e.g. `obs_rms.mean`); F32. */
  extraTensors?: HostTensors;
  /** Adam's first and second moments, trees shaped like `params`. */
  optimizer?: { m: TreeLike; v: TreeLike };
  /** Progress counters (globalStep, update, episodes, …). */
  counters: Record<string, number>;
  /** Named generator states from `Rng.getState()`. */
  rngs?: Record<string, RngState>;
  /** The resolved run configuration (JSON). */
  config?: unknown;
  /** Free-form JSON: algorithm id, env id, policy spec, float64 statistics, … */
  metadata?: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  dir: string;
  /** Every tensor of model.safetensors: the parameters (pick them with `treeFromHost`) and the extras. */
  tensors: HostTensors;
  /** The tensors of model.safetensors that are not parameters. */
  extraTensors: HostTensors;
  /** `m.<path>` / `v.<path>`; present when the checkpoint holds optimizer state (see {@link restoreOptimizerState}). */
  optimizerTensors?: HostTensors;
  counters: Record<string, number>;
  rngs: Record<string, RngState>;
  config: unknown;
  metadata: Record<string, unknown>;
  /** ISO 8601 time of the save. */
  createdAt: string;
}

/** What state.json holds. */
interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  createdAt: string;
  counters: Record<string, number>;
  rngs: Record<string, RngState>;
  /** Which tensors of model.safetensors are parameters and which are extras. */
  params: string[];
  extraTensors: string[];
  /** Whether optimizer.safetensors was written. */
  optimizer: boolean;
  config?: unknown;
  metadata: Record<string, unknown>;
}

/** The directory name of the checkpoint at `globalStep`, zero-padded so that names sort by step. */
export function checkpointDirName(globalStep: number): string {
  if (!Number.isSafeInteger(globalStep) || globalStep < 0) throw new RangeError(`globalStep must be a non-negative integer, got ${globalStep}`);
  return `step-${String(globalStep).padStart(12, '0')}`;
}

/**
 * Write a checkpoint directory at `dir`, replacing any checkpoint already there only once the
 * new one is complete. Copies parameters and moments to the host (does not consume them).
 */
export function saveCheckpoint(dir: string, content: CheckpointContent): void {
  // Everything is checked and copied to the host before the disk is touched.
  const params = treeToHost(content.params);
  const extraTensors = content.extraTensors ?? new Map();
  for (const [name, tensor] of extraTensors) {
    if (params.has(name)) throw new Error(`Extra tensor '${name}' has the name of a parameter; choose another name (e.g. a prefix such as 'obs_rms.')`);
    checkHostTensor(`extra tensor '${name}'`, tensor);
  }
  const optimizer = content.optimizer && optimizerToHost(params, content.optimizer);
  checkJson('counters', content.counters);
  for (const [name, value] of Object.entries(content.counters)) {
    if (typeof value !== 'number') throw new Error(`Counter '${name}' must be a number, got ${typeof value}`);
  }
  const rngs = content.rngs ?? {};
  for (const [name, rng] of Object.entries(rngs)) checkRngState(`RNG state '${name}'`, rng);
  if (content.config !== undefined) checkJson('config', content.config);
  checkJson('metadata', content.metadata ?? {});

  const state: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    counters: { ...content.counters },
    rngs,
    params: [...params.keys()],
    extraTensors: [...extraTensors.keys()],
    optimizer: optimizer !== undefined,
    config: content.config,
    metadata: content.metadata ?? {},
  };
  replaceDirectoryAtomic(dir, (temporary) => {
    writeSafetensorsFile(join(temporary, MODEL_FILE), asF32Tensors(new Map([...params, ...extraTensors])));
    if (optimizer) writeSafetensorsFile(join(temporary, OPTIMIZER_FILE), asF32Tensors(optimizer));
    writeFileAtomic(join(temporary, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  });
}

/** Read a checkpoint directory written by {@link saveCheckpoint}; errors name the file and what is wrong. */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`No checkpoint at ${dir}: not a directory`);
  const state = readState(dir);
  const tensors = readTensors(dir, MODEL_FILE);
  const params = new Set(state.params);
  for (const name of [...state.params, ...state.extraTensors]) {
    if (!tensors.has(name)) throw new Error(`${join(dir, MODEL_FILE)} lacks tensor '${name}', which ${STATE_FILE} lists; the checkpoint is damaged`);
  }
  const extraTensors: HostTensors = new Map([...tensors].filter(([name]) => !params.has(name)));
  let optimizerTensors: HostTensors | undefined;
  if (state.optimizer) {
    if (!existsSync(join(dir, OPTIMIZER_FILE))) throw new Error(`${join(dir, OPTIMIZER_FILE)} is missing, but ${STATE_FILE} says the checkpoint has optimizer state`);
    optimizerTensors = readTensors(dir, OPTIMIZER_FILE);
  }
  return {
    dir,
    tensors,
    extraTensors,
    ...(optimizerTensors ? { optimizerTensors } : {}),
    counters: state.counters,
    rngs: state.rngs,
    config: state.config,
    metadata: state.metadata,
    createdAt: state.createdAt,
  };
}

/** Adam's `{ m, v }` shaped like `like` (not consumed) from a loaded checkpoint's `optimizerTensors`. */
export function restoreOptimizerState<P extends TreeLike>(like: P, optimizerTensors: HostTensors): { m: P; v: P } {
  const moment = (prefix: 'm' | 'v'): P => {
    const tensors: HostTensors = new Map();
    for (const [name, tensor] of optimizerTensors) {
      if (name.startsWith(`${prefix}.`)) tensors.set(name.slice(prefix.length + 1), tensor);
    }
    try {
      return treeFromHost(like, tensors);
    } catch (error) {
      throw new Error(`Optimizer state '${prefix}' does not fit the parameters: ${(error as Error).message}`, { cause: error });
    }
  };
  return { m: moment('m'), v: moment('v') };
}

/**
 * The newest complete checkpoint (`step-<n>` with a readable state.json and model.safetensors)
 * under a run's `checkpoints/` directory, or undefined when there is none. Leftovers of
 * interrupted saves (hidden `.step-….tmp` directories) are never chosen.
 */
export function latestCheckpoint(runCheckpointsDir: string): string | undefined {
  return listCheckpoints(runCheckpointsDir).findLast(({ path }) => isComplete(path))?.path;
}

/**
 * Keep the newest `keep` complete checkpoints under `runCheckpointsDir` and delete older ones,
 * along with leftovers of interrupted saves. Returns the paths removed.
 */
export function pruneCheckpoints(runCheckpointsDir: string, keep: number): string[] {
  if (!Number.isSafeInteger(keep) || keep < 1) throw new RangeError(`pruneCheckpoints keeps at least one checkpoint; keep must be an integer ≥ 1, got ${keep}`);
  if (!existsSync(runCheckpointsDir)) return [];
  const complete = listCheckpoints(runCheckpointsDir).filter(({ path }) => isComplete(path));
  const removed = complete.slice(0, Math.max(0, complete.length - keep)).map(({ path }) => path);
  for (const name of readdirSync(runCheckpointsDir)) {
    if (/^\.step-\d+\..*\.tmp(\.old)?$/.test(name)) removed.push(join(runCheckpointsDir, name));
  }
  for (const path of removed) rmSync(path, { recursive: true, force: true });
  return removed;
}

/** `step-<n>` directories, oldest first (by step number, so unpadded names sort right too). */
function listCheckpoints(runCheckpointsDir: string): { path: string; step: number }[] {
  if (!existsSync(runCheckpointsDir)) return [];
  return readdirSync(runCheckpointsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^step-\d+$/.test(entry.name))
    .map((entry) => ({ path: join(runCheckpointsDir, entry.name), step: Number(entry.name.slice('step-'.length)) }))
    .sort((a, b) => a.step - b.step);
}

function isComplete(path: string): boolean {
  if (!existsSync(join(path, MODEL_FILE))) return false;
  try {
    readState(path);
    return true;
  } catch {
    return false;
  }
}

function readState(dir: string): CheckpointState {
  const path = join(dir, STATE_FILE);
  if (!existsSync(path)) throw new Error(`${path} is missing: ${dir} is not a complete rlft checkpoint`);
  let state: unknown;
  try {
    state = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message})`);
  }
  const bad = (what: string) => new Error(`${path}: ${what}`);
  if (!isRecord(state) || state.format !== CHECKPOINT_FORMAT) {
    const format = isRecord(state) ? JSON.stringify(state.format) : 'missing';
    throw bad(`not an rlft checkpoint (format ${format}, expected "${CHECKPOINT_FORMAT}")`);
  }
  if (state.version !== CHECKPOINT_VERSION) {
    throw bad(`checkpoint version ${JSON.stringify(state.version)} is not one this rlft reads (version ${CHECKPOINT_VERSION}); use the rlft version that wrote it`);
  }
  if (!isRecord(state.counters) || !Object.values(state.counters).every((v) => typeof v === 'number')) throw bad('counters must be an object of numbers');
  if (!isRecord(state.rngs)) throw bad('rngs must be an object of RNG states');
  for (const [name, rng] of Object.entries(state.rngs)) {
    try {
      checkRngState(`RNG state '${name}'`, rng);
    } catch (error) {
      throw bad((error as Error).message);
    }
  }
  for (const key of ['params', 'extraTensors'] as const) {
    if (!Array.isArray(state[key]) || !state[key].every((name) => typeof name === 'string')) throw bad(`${key} must be a list of tensor names`);
  }
  if (typeof state.optimizer !== 'boolean') throw bad('optimizer must be true or false');
  if (!isRecord(state.metadata)) throw bad('metadata must be an object');
  if (typeof state.createdAt !== 'string') throw bad('createdAt must be a string');
  return state as unknown as CheckpointState;
}

function readTensors(dir: string, file: string): HostTensors {
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`${path} is missing: ${dir} is not a complete rlft checkpoint`);
  const out: HostTensors = new Map();
  for (const [name, tensor] of readSafetensorsFile(path).tensors) {
    try {
      out.set(name, { shape: tensor.shape, data: toFloat32(tensor) });
    } catch (error) {
      throw new Error(`${path}: tensor '${name}': ${(error as Error).message}`);
    }
  }
  return out;
}

function optimizerToHost(params: HostTensors, optimizer: { m: TreeLike; v: TreeLike }): HostTensors {
  const out: HostTensors = new Map();
  for (const prefix of ['m', 'v'] as const) {
    const moment = treeToHost(optimizer[prefix]);
    for (const [path, param] of params) {
      const tensor = moment.get(path);
      if (!tensor) throw new Error(`Optimizer state '${prefix}' has no '${path}'; it must be shaped like the parameters`);
      if (tensor.shape.join() !== param.shape.join()) {
        throw new Error(`Optimizer state '${prefix}.${path}' has shape [${tensor.shape.join(', ')}], the parameter [${param.shape.join(', ')}]`);
      }
      out.set(`${prefix}.${path}`, tensor);
    }
    if (moment.size !== params.size) {
      const extra = [...moment.keys()].filter((path) => !params.has(path));
      throw new Error(`Optimizer state '${prefix}' has entries the parameters lack: ${extra.join(', ')}`);
    }
  }
  return out;
}

function asF32Tensors(tensors: HostTensors): Map<string, SafetensorsTensor> {
  return new Map([...tensors].map(([name, { shape, data }]) => [name, { dtype: 'F32', shape, data }]));
}

function checkHostTensor(what: string, tensor: { shape: number[]; data: Float32Array }): void {
  if (!(tensor.data instanceof Float32Array)) throw new Error(`The ${what} must hold a Float32Array, got ${Object.prototype.toString.call(tensor.data)}`);
  const elements = tensor.shape.reduce((n, d) => n * d, 1);
  if (elements !== tensor.data.length) throw new Error(`The ${what} has shape [${tensor.shape.join(', ')}] (${elements} elements) but ${tensor.data.length} values`);
}

function checkRngState(what: string, rng: unknown): void {
  const valid =
    isRecord(rng) &&
    typeof rng.algorithm === 'string' &&
    Array.isArray(rng.state) &&
    rng.state.every((word) => Number.isInteger(word)) &&
    (rng.spareNormal === undefined || Number.isFinite(rng.spareNormal));
  if (!valid) throw new Error(`${what} is not an RNG state (expected { algorithm, state: integers[] } from Rng.getState()), got ${JSON.stringify(rng)}`);
}

/**
 * state.json is JSON, and JSON.stringify would quietly turn NaN and ±Infinity into null and drop
 * functions, which would change a run on resume; refuse them here, naming where they are.
 */
function checkJson(path: string, value: unknown): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}; checkpoints store JSON, which has no NaN or Infinity (store it as a string, or leave it out)`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJson(`${path}[${i}]`, item));
    return;
  }
  if (isRecord(value) && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) checkJson(`${path}.${key}`, item);
    }
    return;
  }
  const kind = ArrayBuffer.isView(value) ? `a ${value.constructor.name} (use Array.from, or pass tensors as extraTensors)` : `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
  throw new Error(`${path} is ${kind}; checkpoints store plain JSON values`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
