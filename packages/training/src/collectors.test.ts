import { Rng, type Env, type VectorEnv } from '@rlft/core';
import { CartPoleEnv } from '@rlft/envs-classic';
import { describe, expect, it } from 'vitest';
import { classicRegistry } from '../../../test/helpers/training.js';
import { ActionLayout, type ActingNetwork } from './acting.js';
import { EpisodeStats } from './episode-stats.js';
import { EpisodeCollector } from './episodes.js';
import { ObservationNormalizer } from './normalizers.js';
import { ObservationFlattener } from './observations.js';
import { ActorCriticCollector, RolloutBuffer } from './rollout.js';

const registry = classicRegistry();

/**
 * A stand-in policy with a known value function: a fixed rule for actions, log-prob −1, and
 * V(obs) = 10·obs[0], so that the observation a value was computed from shows in the number.
 */
class RuleNetwork implements ActingNetwork {
  constructor(
    private readonly obsDim: number,
    private readonly rule: (obs: Float32Array, row: number) => number,
    private readonly continuous = false,
  ) {}

  act(obs: Float32Array, batch: number): { actions: Int32Array | Float32Array; logProbs: Float32Array } {
    const actions = this.continuous ? new Float32Array(batch) : new Int32Array(batch);
    for (let i = 0; i < batch; i++) actions[i] = this.rule(obs, i);
    return { actions, logProbs: new Float32Array(batch).fill(-1) };
  }

  values(obs: Float32Array, batch: number): Float32Array {
    return Float32Array.from({ length: batch }, (_, i) => 10 * obs[i * this.obsDim]);
  }
}

/** One env of the vector env replayed alone: observations o₀…o_T and rewards r₀…r_{T−1} under a constant action. */
async function replay(id: string, seed: number, action: unknown, steps: number, maxEpisodeSteps: number) {
  const env = (await registry.make(id, {}, { maxEpisodeSteps })) as Env<Float32Array, unknown>;
  const observations = [Float32Array.from(env.reset({ seed }).obs)];
  const rewards: number[] = [];
  for (let t = 0; t < steps; t++) {
    const result = env.step(action);
    observations.push(Float32Array.from(result.obs));
    rewards.push(result.reward);
  }
  env.close();
  return { observations, rewards };
}

/** The first observation of CartPole-v1 reset with `seed`. */
function replayReset(seed: number): Float32Array {
  const env = new CartPoleEnv();
  const { obs } = env.reset({ seed });
  env.close();
  return Float32Array.from(obs);
}

function collectorFor(env: VectorEnv, gamma: number, obsNormalizer?: ObservationNormalizer) {
  const flattener = new ObservationFlattener(env.singleObservationSpace, env.numEnvs);
  const stats = new EpisodeStats(env.numEnvs);
  const collector = new ActorCriticCollector({ env, flattener, actions: new ActionLayout(env.singleActionSpace, env.numEnvs), stats, gamma, obsNormalizer });
  return { collector, stats, obsDim: flattener.obsDim };
}

describe('ActorCriticCollector', () => {
  it('bootstraps a truncated step with γ·V(final observation) and records what the network saw', async () => {
    const gamma = 0.9;
    const env = await registry.makeVec('Pendulum-v1', 2, { autoresetMode: 'same-step', maxEpisodeSteps: 5 });
    const { collector, stats, obsDim } = collectorFor(env, gamma);
    const network = new RuleNetwork(obsDim, () => 0.5, true);
    const buffer = new RolloutBuffer(7, 2, obsDim, 1);
    collector.reset(40);
    const lastValues = collector.collect(network, Rng.fromSeed(0), buffer);
    const finishedEpisodes = stats.drain();

    for (let i = 0; i < 2; i++) {
      const { observations, rewards } = await replay('Pendulum-v1', 40 + i, Float32Array.of(0.5), 5, 5);
      for (let t = 0; t < 5; t++) {
        const k = t * 2 + i;
        expect(Array.from(buffer.obs.subarray(k * obsDim, (k + 1) * obsDim)), `obs t=${t} env ${i}`).toEqual(Array.from(observations[t]));
        expect(buffer.values[k]).toBeCloseTo(10 * observations[t][0], 4);
        expect(buffer.actions[k]).toBe(0.5);
        expect(buffer.logProbs[k]).toBe(-1);
        // Step 4 ends the episode by the time limit: its reward carries γ·V(o₅), the value of the final observation.
        const expected = t < 4 ? rewards[t] : rewards[t] + gamma * 10 * observations[5][0];
        expect(buffer.rewards[k], `reward t=${t} env ${i}`).toBeCloseTo(expected, 4);
        expect(buffer.dones[k]).toBe(t === 4 ? 1 : 0);
      }
      // After the autoreset the network sees the new episode's first observation, not o₅.
      expect(buffer.obs[(5 * 2 + i) * obsDim]).not.toBe(observations[5][0]);
      expect(buffer.dones[5 * 2 + i]).toBe(0);
      // Episode statistics keep the raw return, without the bootstrap.
      const finished = finishedEpisodes.filter((e) => e.env === i);
      expect(finished).toHaveLength(1);
      expect(finished[0].return).toBeCloseTo(rewards.reduce((s, r) => s + r, 0), 4);
      expect(finished[0].length).toBe(5);
    }
    expect(Array.from(lastValues)).toEqual(Array.from({ length: 2 }, (_, i) => Math.fround(10 * collector.nextObs[i * obsDim])));
    env.close();
  });

  it('does not bootstrap terminated steps', async () => {
    const env = await registry.makeVec('CartPole-v1', 3, { autoresetMode: 'same-step' });
    const { collector, stats, obsDim } = collectorFor(env, 0.99);
    // Always pushing right topples the pole within a few dozen steps.
    const buffer = new RolloutBuffer(40, 3, obsDim, 1);
    collector.reset(0);
    collector.collect(new RuleNetwork(obsDim, () => 1), Rng.fromSeed(0), buffer);
    expect(stats.totalEpisodes).toBeGreaterThanOrEqual(3);
    expect(Array.from(new Set(buffer.rewards))).toEqual([1]);
    expect(buffer.dones.reduce((s, d) => s + d, 0)).toBe(stats.totalEpisodes);
    env.close();
  });

  it('normalises what the network sees with statistics of every observation collected', async () => {
    const env = await registry.makeVec('CartPole-v1', 2, { autoresetMode: 'same-step' });
    const obsNormalizer = new ObservationNormalizer(4);
    const { collector, obsDim } = collectorFor(env, 0.99, obsNormalizer);
    const buffer = new RolloutBuffer(16, 2, obsDim, 1);
    collector.reset(3);
    collector.collect(new RuleNetwork(obsDim, (obs, i) => (obs[i * 4 + 2] > 0 ? 1 : 0)), Rng.fromSeed(0), buffer);
    // The reset observations and one per env and step.
    expect(obsNormalizer.rms.count).toBeCloseTo(2 + 2 * 16, 3);
    // The first rows are the reset observations normalised with statistics that already include them.
    const resets = [3, 4].flatMap((seed) => Array.from(replayReset(seed)));
    const reference = new ObservationNormalizer(4);
    reference.update(resets, 2);
    expect(Array.from(buffer.obs.subarray(0, 8))).toEqual(Array.from(reference.normalize(resets, 2, new Float32Array(8))));
    expect(Array.from(buffer.obs.subarray(0, 8))).not.toEqual(Array.from(Float32Array.from(resets)));
    env.close();
  });

  it('needs a same-step vector env to bootstrap truncations', async () => {
    const env = await registry.makeVec('CartPole-v1', 2, { autoresetMode: 'next-step' });
    expect(() => collectorFor(env, 0.99)).toThrow(/autoreset 'same-step' \(to bootstrap truncated episodes\), got 'next-step'/);
    env.close();
  });
});

describe('EpisodeCollector', () => {
  /** Push towards the side the pole leans to: long, deterministic episodes. */
  const balance = (obs: Float32Array, row: number) => (obs[row * 4 + 2] > 0 ? 1 : 0);

  it('runs one whole episode per env from the given seeds (GRPO groups share a start state)', async () => {
    const env = await registry.makeVec('CartPole-v1', 4, { autoresetMode: 'next-step', maxEpisodeSteps: 60 });
    const flattener = new ObservationFlattener(env.singleObservationSpace, 4);
    const collector = new EpisodeCollector(env, flattener, new ActionLayout(env.singleActionSpace, 4));
    const network = new RuleNetwork(4, balance);
    const episodes = collector.collect(network, Rng.fromSeed(0), [7, 7, 9, 9]);

    expect(episodes.map((e) => e.seed)).toEqual([7, 7, 9, 9]);
    // A deterministic policy from the same start state repeats the episode exactly.
    expect(episodes[1]).toEqual(episodes[0]);
    expect(episodes[3]).toEqual(episodes[2]);
    expect(Array.from(episodes[2].obs.subarray(0, 4))).not.toEqual(Array.from(episodes[0].obs.subarray(0, 4)));

    // Each episode is what the env alone does from that seed, and nothing after its end.
    for (const episode of [episodes[0], episodes[2]]) {
      const alone = (await registry.make('CartPole-v1', {}, { maxEpisodeSteps: 60 })) as Env<Float32Array, number>;
      let { obs } = alone.reset({ seed: episode.seed });
      const observations: number[] = [];
      let truncated = false;
      for (;;) {
        observations.push(...obs);
        const step = alone.step(balance(obs, 0));
        if (step.terminated || step.truncated) {
          truncated = step.truncated && !step.terminated;
          break;
        }
        obs = step.obs;
      }
      expect(episode.length).toBe(observations.length / 4);
      expect(Array.from(episode.obs)).toEqual(Array.from(Float32Array.from(observations)));
      expect(episode.return).toBe(episode.length);
      expect(episode.truncated).toBe(truncated);
      expect(Array.from(episode.logProbs)).toEqual(new Array(episode.length).fill(-1));
      alone.close();
    }
    env.close();
  });

  it('checks the autoreset mode and the number of seeds', async () => {
    const sameStep = await registry.makeVec('CartPole-v1', 2, { autoresetMode: 'same-step' });
    expect(() => new EpisodeCollector(sameStep, new ObservationFlattener(sameStep.singleObservationSpace, 2), new ActionLayout(sameStep.singleActionSpace, 2))).toThrow(
      /autoreset 'next-step', got 'same-step'/,
    );
    sameStep.close();
    const env = await registry.makeVec('CartPole-v1', 2, { autoresetMode: 'next-step' });
    const collector = new EpisodeCollector(env, new ObservationFlattener(env.singleObservationSpace, 2), new ActionLayout(env.singleActionSpace, 2));
    expect(() => collector.collect(new RuleNetwork(4, balance), Rng.fromSeed(0), [1, 2, 3])).toThrow(/one seed per env \(2\), got 3/);
    env.close();
  });
});
