import type { Space } from '../spaces/space.js';
import type { Info } from '../env.js';

/**
 * When a sub-environment's episode ends (Gymnasium 1.x):
 * - 'next-step': the following `step` resets it, ignoring its action, and returns reward 0;
 * - 'same-step': it is reset within the same `step`; the final observation and info are in
 *   `infos.final_obs` / `infos.final_info` (with masks `_final_obs` / `_final_info`);
 * - 'disabled': the caller resets ended envs with `reset({ mask })`.
 */
export type AutoresetMode = 'next-step' | 'same-step' | 'disabled';
export const AUTORESET_MODES: readonly AutoresetMode[] = ['next-step', 'same-step', 'disabled'];

/**
 * Batched infos, Gymnasium style: each key maps to an array with one entry per env and a
 * boolean mask under `_key` saying which entries are set. `{}` when no env reported anything.
 */
export type VectorInfo = Record<string, unknown>;

export interface VectorResetOptions {
  /** One seed (env i gets seed + i) or one per env. */
  seed?: number | readonly (number | undefined)[];
  options?: Record<string, unknown>;
  /** Reset only the envs whose entry is 1 (used with autoreset 'disabled'). */
  mask?: ArrayLike<number>;
}

export interface VectorResetResult<BatchObs> {
  obs: BatchObs;
  infos: VectorInfo;
}

export interface VectorStepResult<BatchObs> {
  obs: BatchObs;
  rewards: Float64Array;
  /** 1 where the env's episode terminated at this step. */
  terminations: Uint8Array;
  truncations: Uint8Array;
  infos: VectorInfo;
}

/**
 * N copies of an environment stepped together with batched values: Box observations are one
 * flat typed array of N × size, Discrete values an Int32Array of N, MultiDiscrete/MultiBinary
 * flat Int32Array/Uint8Array of N × size, Dict an object and Tuple an array of batched
 * members, other spaces (Text, …) arrays of N (see `vector/batch.ts`). Stepping is
 * synchronous for every implementation (worker-thread ones block on shared memory).
 */
export interface VectorEnv<BatchObs = unknown, BatchAct = unknown> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  /** The batched spaces (`batchSpace`: Box of shape [N, …], MultiDiscrete for Discrete, integer Box for MultiDiscrete/MultiBinary, Dict/Tuple member-wise, Tuple of N otherwise). */
  readonly observationSpace: Space<BatchObs>;
  readonly actionSpace: Space<BatchAct>;
  readonly autoresetMode: AutoresetMode;
  reset(options?: VectorResetOptions): VectorResetResult<BatchObs>;
  step(actions: BatchAct): VectorStepResult<BatchObs>;
  close(): void;
}

export type { Info };
