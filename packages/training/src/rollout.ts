import type { Rng, VectorEnv } from '@rlft/core';
import type { ActingNetwork, ActionLayout } from './acting.js';
import type { EpisodeStats } from './episode-stats.js';
import type { ObservationNormalizer, RewardNormalizer } from './normalizers.js';
import type { ObservationFlattener } from './observations.js';

/** A fixed-length rollout of T steps × N envs, time-major ([t·N + i]), as the network saw it. */
export class RolloutBuffer {
  readonly numSteps: number;
  readonly numEnvs: number;
  readonly obsDim: number;
  readonly actionSize: number;
  readonly obs: Float32Array;
  readonly actions: Float32Array;
  readonly logProbs: Float32Array;
  readonly rewards: Float32Array;
  /** 1 when the transition ended the env's episode (terminated or truncated). */
  readonly dones: Float32Array;
  readonly values: Float32Array;

  constructor(numSteps: number, numEnvs: number, obsDim: number, actionSize: number) {
    const n = numSteps * numEnvs;
    this.numSteps = numSteps;
    this.numEnvs = numEnvs;
    this.obsDim = obsDim;
    this.actionSize = actionSize;
    this.obs = new Float32Array(n * obsDim);
    this.actions = new Float32Array(n * actionSize);
    this.logProbs = new Float32Array(n);
    this.rewards = new Float32Array(n);
    this.dones = new Float32Array(n);
    this.values = new Float32Array(n);
  }

  get size(): number {
    return this.numSteps * this.numEnvs;
  }
}

export interface CollectorOptions {
  env: VectorEnv;
  flattener: ObservationFlattener;
  actions: ActionLayout;
  stats: EpisodeStats;
  gamma: number;
  obsNormalizer?: ObservationNormalizer;
  rewardNormalizer?: RewardNormalizer;
}

/**
 * Steps a vector env (autoreset 'same-step') with an actor-critic network and fills rollout
 * buffers. Truncated episodes are bootstrapped: the reward of a truncated (not terminated) step
 * gets γ·V(final observation), so that GAE can treat every episode end alike.
 */
export class ActorCriticCollector {
  private readonly options: CollectorOptions;
  private readonly rawObs: Float32Array;
  /** The next observation as the network sees it (flattened, normalised). */
  readonly nextObs: Float32Array;
  private readonly finalObs: Float32Array;
  private readonly rewardScratch: Float64Array;

  constructor(options: CollectorOptions) {
    if (options.env.autoresetMode !== 'same-step') {
      throw new Error(`ActorCriticCollector needs a vector env with autoreset 'same-step' (to bootstrap truncated episodes), got '${options.env.autoresetMode}'`);
    }
    this.options = options;
    const { numEnvs } = options.env;
    const { obsDim } = options.flattener;
    this.rawObs = new Float32Array(numEnvs * obsDim);
    this.nextObs = new Float32Array(numEnvs * obsDim);
    this.finalObs = new Float32Array(obsDim);
    this.rewardScratch = new Float64Array(numEnvs);
  }

  /** Reset every env (env i with seed + i) and prepare the first observation. */
  reset(seed: number): void {
    const { obs } = this.options.env.reset({ seed });
    this.observe(obs, true);
  }

  /** Fill `buffer` with T steps; returns V of the observation after the last step (for GAE). */
  collect(network: ActingNetwork, rng: Rng, buffer: RolloutBuffer): Float32Array {
    const { env, actions: layout, stats, gamma, rewardNormalizer } = this.options;
    const n = env.numEnvs;
    const obsDim = buffer.obsDim;
    if (!network.values) throw new TypeError('ActorCriticCollector needs a network with a value head');
    for (let t = 0; t < buffer.numSteps; t++) {
      const base = t * n;
      buffer.obs.set(this.nextObs, base * obsDim);
      const { actions, logProbs, values } = network.act(this.nextObs, n, rng, false);
      layout.store(actions, buffer.actions, base * layout.size);
      buffer.logProbs.set(logProbs, base);
      buffer.values.set(values ?? network.values(this.nextObs, n), base);

      const result = env.step(layout.forEnv(actions) as never);
      stats.record(result.rewards, result.terminations, result.truncations);
      const rewards = this.rewardScratch;
      rewards.set(result.rewards);
      rewardNormalizer?.normalize(rewards, result.terminations);
      for (let i = 0; i < n; i++) {
        const ended = result.terminations[i] || result.truncations[i];
        buffer.dones[base + i] = ended ? 1 : 0;
        let reward = rewards[i];
        if (result.truncations[i] && !result.terminations[i]) reward += gamma * this.valueOfFinalObs(network, result.infos, i);
        buffer.rewards[base + i] = reward;
      }
      this.observe(result.obs, true);
    }
    return Float32Array.from(network.values(this.nextObs, n));
  }

  private observe(batch: unknown, update: boolean): void {
    const { flattener, obsNormalizer } = this.options;
    flattener.flattenBatch(batch, this.rawObs);
    if (obsNormalizer) {
      if (update) obsNormalizer.update(this.rawObs, this.options.env.numEnvs);
      obsNormalizer.normalize(this.rawObs, this.options.env.numEnvs, this.nextObs);
    } else {
      this.nextObs.set(this.rawObs);
    }
  }

  private valueOfFinalObs(network: ActingNetwork, infos: Record<string, unknown>, index: number): number {
    const finalObs = (infos.final_obs as unknown[] | undefined)?.[index];
    if (finalObs === undefined) throw new Error(`Env ${index} was truncated but the vector env gave no infos.final_obs for it`);
    const { flattener, obsNormalizer } = this.options;
    flattener.flattenOne(finalObs, this.finalObs, 0);
    if (obsNormalizer) obsNormalizer.normalize(this.finalObs, 1, this.finalObs);
    return network.values!(this.finalObs, 1)[0];
  }
}
