import { RlftError, type Env, type MakeOptions, type RewardFunction } from '@rlft/core';
import type { CompletionSample, EnvRestore } from './sample.js';

/** What the env-based rewards need of a registry: `make` (the host's `EnvRegistry` is one). */
export interface EnvMaker {
  make(id: string, kwargs?: Record<string, unknown>, options?: MakeOptions): Promise<Env>;
}

type StateEnv = Env & { setState?: (state: ArrayLike<number>) => void };

/**
 * One env per (id, kwargs), made on first use through the registry and reused for every
 * sample: rewards restore it to a sample's state before each step. `close()` closes them all.
 */
export class EnvPool {
  private readonly envs = new Map<string, Promise<Env>>();

  constructor(private readonly registry: EnvMaker) {}

  get(envId: string, kwargs: Record<string, unknown> = {}): Promise<Env> {
    const key = `${envId} ${JSON.stringify(kwargs)}`;
    let env = this.envs.get(key);
    if (!env) {
      // No time limit: a reward steps once (or a few times) from a restored state.
      env = this.registry.make(envId, kwargs, { maxEpisodeSteps: null });
      // A failed make is not cached, so the next call retries and reports again.
      env.catch(() => this.envs.delete(key));
      this.envs.set(key, env);
    }
    return env;
  }

  async close(): Promise<void> {
    const envs = [...this.envs.values()];
    this.envs.clear();
    for (const env of await Promise.allSettled(envs)) if (env.status === 'fulfilled') env.value.close();
  }
}

/** Resets `env` to the sample's situation: seed and options, then the state vector. */
export function restoreEnv(env: Env, restore: EnvRestore): void {
  const target = env.unwrapped as StateEnv;
  const options = { ...(restore.options ?? {}) };
  const useSetState = restore.state !== undefined && typeof target.setState === 'function';
  if (restore.state !== undefined && !useSetState) options.state = [...restore.state];
  env.reset({ ...(restore.seed !== undefined ? { seed: restore.seed } : {}), ...(Object.keys(options).length ? { options } : {}) });
  if (useSetState) target.setState!(restore.state!);
}

/** The env id of a sample, else the reward's default, else an error naming the reward. */
export function envIdFor(sampleEnvId: string | undefined, defaultEnvId: string | undefined, reward: string): string {
  const id = sampleEnvId ?? defaultEnvId;
  if (id === undefined) throw new RlftError('REWARD_OPTIONS', `reward '${reward}' needs an env id: set option 'envId' or give samples an envId`);
  return id;
}

/**
 * A reward that scores each sample by stepping envs it makes through the host's registry
 * (one cached env per id and kwargs): checks the registry, scores samples one by one, closes the envs.
 */
export abstract class EnvBackedReward implements RewardFunction<CompletionSample> {
  abstract readonly name: string;
  protected readonly pool: EnvPool;

  constructor(registry: EnvMaker | undefined, rewardId: string, what: string) {
    if (!registry || typeof registry.make !== 'function') {
      throw new RlftError('REWARD_OPTIONS', `reward '${rewardId}' needs option 'registry' (an EnvRegistry, e.g. the host's PluginHost.registry) to make ${what}`);
    }
    this.pool = new EnvPool(registry);
  }

  async score(batch: readonly CompletionSample[]): Promise<number[]> {
    const scores: number[] = [];
    for (const sample of batch) scores.push(await this.scoreOne(sample));
    return scores;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  protected abstract scoreOne(sample: CompletionSample): Promise<number>;
}
