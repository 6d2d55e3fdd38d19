import type { Rng, VectorEnv } from '@rlft/core';
import type { ActingNetwork, ActionLayout } from './acting.js';
import type { ObservationFlattener } from './observations.js';

/** One complete episode as the network saw it (for REINFORCE and GRPO). */
export interface Episode {
  /** [length, obsDim] */
  obs: Float32Array;
  /** [length, actionSize] in the ActionLayout's stored form. */
  actions: Float32Array;
  logProbs: Float32Array;
  rewards: Float32Array;
  length: number;
  return: number;
  /** The reset seed the episode started from. */
  seed: number;
  /** True when it ended by truncation (time limit) rather than termination. */
  truncated: boolean;
}

/**
 * Runs one episode in each of a vector env's N envs, env i reset with `seeds[i]` (GRPO gives
 * the G members of a group the same seed, hence the same start state), stepping until every
 * env has finished its episode. The env must autoreset 'next-step'; what an env does after its
 * episode ended is ignored.
 */
export class EpisodeCollector {
  private readonly env: VectorEnv;
  private readonly flattener: ObservationFlattener;
  private readonly layout: ActionLayout;
  private readonly obs: Float32Array;

  constructor(env: VectorEnv, flattener: ObservationFlattener, layout: ActionLayout) {
    if (env.autoresetMode !== 'next-step') {
      throw new Error(`EpisodeCollector needs a vector env with autoreset 'next-step', got '${env.autoresetMode}'`);
    }
    this.env = env;
    this.flattener = flattener;
    this.layout = layout;
    this.obs = new Float32Array(env.numEnvs * flattener.obsDim);
  }

  collect(network: ActingNetwork, rng: Rng, seeds: readonly number[]): Episode[] {
    const n = this.env.numEnvs;
    if (seeds.length !== n) throw new RangeError(`EpisodeCollector needs one seed per env (${n}), got ${seeds.length}`);
    const obsDim = this.flattener.obsDim;
    const actionSize = this.layout.size;
    const traces = seeds.map((seed) => ({ seed, obs: [] as number[], actions: [] as number[], logProbs: [] as number[], rewards: [] as number[], truncated: false, done: false }));
    const stored = new Float32Array(n * actionSize);
    let batch = this.env.reset({ seed: seeds }).obs;
    let remaining = n;
    while (remaining > 0) {
      this.flattener.flattenBatch(batch, this.obs);
      const { actions, logProbs } = network.act(this.obs, n, rng, false);
      this.layout.store(actions, stored, 0);
      const result = this.env.step(this.layout.forEnv(actions) as never);
      for (let i = 0; i < n; i++) {
        const trace = traces[i];
        if (trace.done) continue;
        for (let j = 0; j < obsDim; j++) trace.obs.push(this.obs[i * obsDim + j]);
        for (let j = 0; j < actionSize; j++) trace.actions.push(stored[i * actionSize + j]);
        trace.logProbs.push(logProbs[i]);
        trace.rewards.push(result.rewards[i]);
        if (result.terminations[i] || result.truncations[i]) {
          trace.done = true;
          trace.truncated = !result.terminations[i];
          remaining--;
        }
      }
      batch = result.obs;
    }
    return traces.map((t) => ({
      seed: t.seed,
      obs: Float32Array.from(t.obs),
      actions: Float32Array.from(t.actions),
      logProbs: Float32Array.from(t.logProbs),
      rewards: Float32Array.from(t.rewards),
      length: t.rewards.length,
      return: t.rewards.reduce((s, r) => s + r, 0),
      truncated: t.truncated,
    }));
  }
}

/**
 * Episodes laid out as one padded batch of steps for an episode-level loss: every step
 * carries its advantage and its weight in the loss (so that sums of weight·loss express
 * "mean over all steps", "mean over episodes of the per-episode mean", …). The step count is
 * padded up to a power of two (≥ 64) with zero weights, so `jit` compiles a handful of shapes.
 */
export interface StepBatch {
  size: number;
  steps: number;
  obs: Float32Array;
  /** One-hot [size, n] for discrete actions, raw [size, dim] for continuous. */
  actions: Float32Array;
  logProbs: Float32Array;
  advantages: Float32Array;
  weights: Float32Array;
  /** Returns-to-go (for a value baseline). */
  returns: Float32Array;
}

export interface StepBatchOptions {
  obsDim: number;
  /** Width of an action row in the batch: n for discrete (one-hot), dim for continuous. */
  actionWidth: number;
  discrete: boolean;
  /** Advantage of step t of episode e. */
  advantage(episode: number, step: number): number;
  /** Loss weight of step t of episode e. */
  weight(episode: number, step: number): number;
  /** Return-to-go of step t of episode e (optional). */
  returnToGo?(episode: number, step: number): number;
}

export function paddedSize(steps: number): number {
  let size = 64;
  while (size < steps) size *= 2;
  return size;
}

export function buildStepBatch(episodes: readonly Episode[], options: StepBatchOptions): StepBatch {
  const steps = episodes.reduce((s, e) => s + e.length, 0);
  const size = paddedSize(steps);
  const { obsDim, actionWidth, discrete } = options;
  const batch: StepBatch = {
    size,
    steps,
    obs: new Float32Array(size * obsDim),
    actions: new Float32Array(size * actionWidth),
    logProbs: new Float32Array(size),
    advantages: new Float32Array(size),
    weights: new Float32Array(size),
    returns: new Float32Array(size),
  };
  let k = 0;
  episodes.forEach((episode, e) => {
    batch.obs.set(episode.obs, k * obsDim);
    for (let t = 0; t < episode.length; t++, k++) {
      if (discrete) batch.actions[k * actionWidth + episode.actions[t]] = 1;
      else batch.actions.set(episode.actions.subarray(t * actionWidth, (t + 1) * actionWidth), k * actionWidth);
      batch.logProbs[k] = episode.logProbs[t];
      batch.advantages[k] = options.advantage(e, t);
      batch.weights[k] = options.weight(e, t);
      batch.returns[k] = options.returnToGo?.(e, t) ?? 0;
    }
  });
  return batch;
}
