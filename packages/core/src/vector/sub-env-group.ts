import type { Env, Info } from '../env.js';
import type { SpaceBatcher } from './batch.js';
import { SubEnvError, VectorStateError, type SubEnvPhase } from './errors.js';
import { hasEntries } from './infos.js';
import type { AutoresetMode } from './types.js';

/** The batched results every vector env writes into: one slot per env. */
export interface VectorBuffers {
  obs: unknown;
  rewards: Float64Array;
  terminations: Uint8Array;
  truncations: Uint8Array;
}

/** Receives env `index`'s info (in env order, final_obs/final_info before the reset info). */
export type InfoSink = (index: number, info: Info) => void;

/**
 * A contiguous run of sub-environments (global indices first … first+count−1) stepped in this
 * thread with Gymnasium 1.x's autoreset rules. SyncVectorEnv holds one group of all its envs;
 * each AsyncVectorEnv worker holds one group of its share, writing into shared memory. Both
 * vector envs therefore produce the same trajectories by construction.
 */
export class SubEnvGroup {
  readonly envs: readonly Env[];
  readonly first: number;
  readonly autoresetMode: AutoresetMode;
  private readonly obsBatcher: SpaceBatcher;
  private readonly actionBatcher: SpaceBatcher;
  private readonly buffers: VectorBuffers;
  /** 1 where the env's episode ended at the previous step (next-step mode resets it now). */
  private readonly ended: Uint8Array;

  constructor(
    envs: readonly Env[],
    first: number,
    autoresetMode: AutoresetMode,
    obsBatcher: SpaceBatcher,
    actionBatcher: SpaceBatcher,
    buffers: VectorBuffers,
  ) {
    this.envs = envs;
    this.first = first;
    this.autoresetMode = autoresetMode;
    this.obsBatcher = obsBatcher;
    this.actionBatcher = actionBatcher;
    this.buffers = buffers;
    this.ended = new Uint8Array(envs.length);
  }

  /**
   * Reset every env, or those whose `mask` entry is 1 (`seeds`, `mask` indexed from this
   * group's first env). Unmasked envs keep their observation and episode.
   */
  reset(seeds: readonly (number | undefined)[] | undefined, options: Record<string, unknown> | undefined, mask: ArrayLike<number> | undefined, sink: InfoSink): void {
    const { obs, terminations, truncations } = this.buffers;
    for (let k = 0; k < this.envs.length; k++) {
      if (mask !== undefined && !mask[k]) continue;
      const index = this.first + k;
      const seed = seeds?.[k];
      let info: Info;
      try {
        const result = this.envs[k].reset({ ...(seed === undefined ? {} : { seed }), ...(options === undefined ? {} : { options }) });
        this.obsBatcher.write(obs, index, result.obs);
        info = result.info;
      } catch (error) {
        throw new SubEnvError(index, this.envs[k].id, 'reset', error);
      }
      terminations[index] = 0;
      truncations[index] = 0;
      this.ended[k] = 0;
      if (hasEntries(info)) sink(index, info);
    }
  }

  step(actions: unknown, sink: InfoSink): void {
    const { obs, rewards, terminations, truncations } = this.buffers;
    const { envs, ended, obsBatcher, actionBatcher, first } = this;
    const mode = this.autoresetMode;
    // One try around the loop keeps the per-env body lean; k and phase say who failed.
    let k = 0;
    let phase: SubEnvPhase = 'step';
    try {
      for (; k < envs.length; k++) {
        const index = first + k;
        const env = envs[k];
        let info: Info;
        if (ended[k] && mode === 'next-step') {
          phase = 'reset';
          const result = env.reset();
          obsBatcher.write(obs, index, result.obs);
          info = result.info;
          rewards[index] = 0;
          terminations[index] = 0;
          truncations[index] = 0;
          phase = 'step';
        } else {
          if (ended[k] && mode === 'disabled') {
            throw new VectorStateError(
              `Sub-environment ${index} (${env.id}) ended at the previous step; with autoresetMode 'disabled' reset it with reset({ mask }) before stepping again`,
            );
          }
          const result = env.step(actionBatcher.read(actions, index));
          obsBatcher.write(obs, index, result.obs);
          rewards[index] = result.reward;
          terminations[index] = result.terminated ? 1 : 0;
          truncations[index] = result.truncated ? 1 : 0;
          info = result.info;
          if (mode === 'same-step' && (result.terminated || result.truncated)) {
            // The env may reuse its observation buffer, so the final observation is copied.
            sink(index, { final_obs: structuredClone(result.obs), final_info: info });
            const reset = env.reset();
            obsBatcher.write(obs, index, reset.obs);
            info = reset.info;
          }
        }
        ended[k] = terminations[index] | truncations[index];
        if (hasEntries(info)) sink(index, info);
      }
    } catch (error) {
      if (error instanceof VectorStateError) throw error;
      throw new SubEnvError(first + k, envs[k].id, phase, error);
    }
  }

  close(): void {
    let failure: unknown;
    for (const env of this.envs) {
      try {
        env.close();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}

/** Per-env seeds for a vector reset: one number means seed + i for env i (Gymnasium's rule). */
export function resolveSeeds(seed: number | readonly (number | undefined)[] | undefined, numEnvs: number): (number | undefined)[] | undefined {
  if (seed === undefined) return undefined;
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`The reset seed must be an integer, got ${seed}`);
    return Array.from({ length: numEnvs }, (_, i) => seed + i);
  }
  if (!Array.isArray(seed) || seed.length !== numEnvs) {
    throw new RangeError(`reset({ seed }) takes one integer or an array of ${numEnvs} seeds (one per env, undefined allowed), got ${Array.isArray(seed) ? `${seed.length} seeds` : typeof seed}`);
  }
  return [...seed];
}

/** Validate a reset mask: one 0/1 (or boolean) entry per env. */
export function checkResetMask(mask: ArrayLike<number> | undefined, numEnvs: number): void {
  if (mask === undefined) return;
  if (mask === null || typeof mask !== 'object' || mask.length !== numEnvs) {
    throw new RangeError(`reset({ mask }) takes an array of ${numEnvs} entries (1 resets that env), got ${mask === null || typeof mask !== 'object' ? String(mask) : `${mask.length} entries`}`);
  }
}
