import { Box, Discrete, RlftError, type RewardFunction } from '@rlft/core';
import { readAction, resolveActionFormat, type ActionFormat, type ActionFormatOptions } from './action-text.js';
import { EnvBackedReward, envIdFor, restoreEnv, type EnvMaker } from './env-pool.js';
import type { CompletionSample } from './sample.js';

export interface EnvRewardOptions extends ActionFormatOptions {
  /** Makes the envs: pass the host's registry (`PluginHost.registry`), which knows every plugin's envs. */
  registry: EnvMaker;
  /** Env for samples without an `envId`. */
  envId?: string;
  /** Kwargs for samples without `envKwargs`. */
  envKwargs?: Record<string, unknown>;
  /** Score of an answer whose action cannot be read or is not a valid action. Default −10. */
  malformedPenalty?: number;
  /** Clip continuous actions into the action space's bounds (else out-of-bounds is malformed). Default true. */
  clipActions?: boolean;
}

/**
 * The env's one-step reward for the answer's action: the env (one per id and kwargs, made
 * through the registry and cached) is restored to the sample's `envState` and steps once.
 * Discrete action spaces read one integer; Box spaces read their flattened size.
 */
export class EnvReward extends EnvBackedReward {
  readonly name = 'env';
  private readonly actionFormat: ActionFormat;
  private readonly malformedPenalty: number;
  private readonly clipActions: boolean;

  constructor(private readonly options: EnvRewardOptions) {
    super(options?.registry, 'env', 'envs');
    this.actionFormat = resolveActionFormat(options, this.name);
    this.malformedPenalty = options.malformedPenalty ?? -10;
    this.clipActions = options.clipActions ?? true;
  }

  protected async scoreOne(sample: CompletionSample): Promise<number> {
    const envId = envIdFor(sample.envId, this.options.envId, this.name);
    if (!sample.envState) throw new RlftError('REWARD_INPUT', `reward 'env' needs each sample's envState (seed, options or state) to restore ${envId}`);
    const env = await this.pool.get(envId, sample.envKwargs ?? this.options.envKwargs);
    const action = this.actionFor(env.actionSpace, sample, envId);
    if (action === undefined) return this.malformedPenalty;
    restoreEnv(env, sample.envState);
    return env.step(action).reward;
  }

  /** The env action of the answer, or undefined when it cannot be read or is outside the space. */
  private actionFor(space: unknown, sample: CompletionSample, envId: string): unknown {
    if (space instanceof Discrete) {
      const read = readAction(sample, 1, { format: 'reference' });
      return read.ok && space.contains(read.values[0]) ? read.values[0] : undefined;
    }
    if (space instanceof Box) {
      const read = readAction(sample, space.size, this.actionFormat);
      if (!read.ok) return undefined;
      const action = this.clipActions ? space.clip(read.values) : space.fromArray(read.values);
      return space.contains(action) ? action : undefined;
    }
    throw new RlftError('REWARD_OPTIONS', `reward 'env' handles Discrete and Box action spaces; ${envId} has ${String(space)}`);
  }
}
