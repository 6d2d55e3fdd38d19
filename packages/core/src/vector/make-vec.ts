import type { Env } from '../env.js';
import { UnsupportedError } from '../errors.js';
import type { EnvRegistry, MakeOptions } from '../registry.js';
import { AsyncVectorEnv } from './async-vector-env.js';
import { SyncVectorEnv } from './sync-vector-env.js';
import type { AutoresetMode, VectorEnv } from './types.js';

/**
 * How `makeVec` vectorises (Gymnasium's `VectorizeMode`):
 * - 'sync': N envs made with `make` (standard wrappers included), stepped in this thread;
 * - 'async': the same, spread over worker threads;
 * - 'vector_entry_point': the env's own batched implementation from its registration.
 */
export type VectorizationMode = 'sync' | 'async' | 'vector_entry_point';
export const VECTORIZATION_MODES: readonly VectorizationMode[] = ['sync', 'async', 'vector_entry_point'];

export interface MakeVecOptions extends MakeOptions {
  /** Default: 'vector_entry_point' when the env registers one, else 'sync'. */
  vectorizationMode?: VectorizationMode;
  /** Default 'next-step'. */
  autoresetMode?: AutoresetMode;
  /** Env kwargs, validated by the registration's schema as in `make`. */
  kwargs?: Record<string, unknown>;
  /** 'async' only: worker threads (default min(numEnvs, available cores)). */
  workers?: number;
  /**
   * 'async' only: modules the workers import to register the env (file URLs, absolute paths
   * or package names). `PluginHost.makeVec` fills it from where the plugin was loaded.
   */
  pluginModules?: readonly string[];
  /** 'sync'/'async': return fresh arrays from each call instead of the reused buffers. */
  copy?: boolean;
  /** 'async' only: how long a call waits for a worker (ms, default 60 000). */
  timeoutMs?: number;
}

/** Gymnasium's `make_vec` over a registry; `EnvRegistry.makeVec` calls it. */
export async function makeVectorEnv(registry: EnvRegistry, id: string, numEnvs: number, options: MakeVecOptions = {}): Promise<VectorEnv> {
  const spec = registry.spec(id);
  if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new RangeError(`makeVec('${spec.id}'): numEnvs must be a positive integer, got ${numEnvs}`);
  const mode = options.vectorizationMode ?? (spec.vectorEntryPoint ? 'vector_entry_point' : 'sync');
  if (!VECTORIZATION_MODES.includes(mode)) {
    throw new RangeError(`makeVec('${spec.id}'): unknown vectorizationMode '${String(mode)}'; allowed: ${VECTORIZATION_MODES.join(', ')}`);
  }
  for (const key of ['workers', 'pluginModules', 'timeoutMs'] as const) {
    if (options[key] !== undefined && mode !== 'async') {
      throw new RangeError(`makeVec('${spec.id}'): '${key}' applies to vectorizationMode 'async' only, not '${mode}'`);
    }
  }
  const kwargs = options.kwargs ?? {};
  const autoresetMode = options.autoresetMode ?? 'next-step';
  const makeOptions: MakeOptions = {
    ...(options.maxEpisodeSteps !== undefined ? { maxEpisodeSteps: options.maxEpisodeSteps } : {}),
    ...(options.renderMode !== undefined ? { renderMode: options.renderMode } : {}),
    ...(options.disableEnvChecker !== undefined ? { disableEnvChecker: options.disableEnvChecker } : {}),
  };

  if (mode === 'vector_entry_point') {
    if (!spec.vectorEntryPoint) {
      throw new UnsupportedError(
        `${spec.id} has no vectorEntryPoint (a batched implementation of its own); use vectorizationMode 'sync' or 'async'`,
      );
    }
    for (const key of ['renderMode', 'disableEnvChecker', 'copy'] as const) {
      if (options[key] !== undefined) {
        throw new UnsupportedError(`makeVec('${spec.id}'): '${key}' is not supported with vectorizationMode 'vector_entry_point'; use 'sync' or 'async'`);
      }
    }
    const resolved = registry.resolveKwargs(spec.id, kwargs);
    const maxEpisodeSteps = options.maxEpisodeSteps === undefined ? spec.maxEpisodeSteps : options.maxEpisodeSteps;
    const vectorEnv = await spec.vectorEntryPoint(numEnvs, resolved, {
      autoresetMode,
      ...(maxEpisodeSteps === null || maxEpisodeSteps === undefined ? {} : { maxEpisodeSteps }),
    });
    if (vectorEnv.numEnvs !== numEnvs) {
      vectorEnv.close();
      throw new UnsupportedError(`${spec.id}'s vectorEntryPoint made ${vectorEnv.numEnvs} envs, ${numEnvs} were asked for`);
    }
    return vectorEnv;
  }

  if (mode === 'sync') {
    return SyncVectorEnv.fromFactory(numEnvs, (): Promise<Env> => registry.make(spec.id, kwargs, makeOptions), {
      autoresetMode,
      ...(options.copy !== undefined ? { copy: options.copy } : {}),
    });
  }

  if (options.pluginModules === undefined) {
    throw new UnsupportedError(
      `makeVec('${spec.id}', …, { vectorizationMode: 'async' }) needs pluginModules: the modules worker threads import to register '${spec.id}' ` +
        `(provided by plugin '${spec.plugin}'). Pass them, or use PluginHost.makeVec with a plugin loaded through PluginHost.load`,
    );
  }
  return AsyncVectorEnv.create({
    id: spec.id,
    numEnvs,
    kwargs,
    ...makeOptions,
    pluginModules: options.pluginModules,
    registry,
    autoresetMode,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.copy !== undefined ? { copy: options.copy } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}
