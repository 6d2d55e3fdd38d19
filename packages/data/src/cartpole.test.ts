import { join } from 'node:path';
import { EnvRegistry, Rng, type Box, type Discrete, type Env } from '@rlft/core';
import classicPlugin from '@rlft/envs-classic/plugin';
import { afterAll, describe, expect, it } from 'vitest';
import { rowAt } from './columns.js';
import { openDataset } from './dataset.js';
import { temporaryRoot } from './test-helpers.js';
import { DatasetWriter } from './writer.js';

const { root, cleanup } = temporaryRoot();
afterAll(cleanup);

interface Recorded {
  observations: Float32Array[];
  actions: number[];
  rewards: number[];
  terminations: boolean[];
  truncations: boolean[];
  seed: number;
}

async function playRandomEpisodes(count: number, seed: number): Promise<{ env: Env<Float32Array, number>; episodes: Recorded[] }> {
  const registry = new EnvRegistry();
  for (const registration of classicPlugin.envs ?? []) registry.register(registration, classicPlugin.name);
  const env = await registry.make<Float32Array, number>('CartPole-v1');
  const rng = Rng.fromSeed(seed);
  const episodes: Recorded[] = [];
  for (let e = 0; e < count; e++) {
    const episodeSeed = seed + e;
    const episode: Recorded = { observations: [], actions: [], rewards: [], terminations: [], truncations: [], seed: episodeSeed };
    let { obs } = env.reset({ seed: episodeSeed });
    episode.observations.push(obs.slice());
    for (;;) {
      const action = (env.actionSpace as Discrete).sample(rng);
      const step = env.step(action);
      obs = step.obs;
      episode.observations.push(obs.slice());
      episode.actions.push(action);
      episode.rewards.push(step.reward);
      episode.terminations.push(step.terminated);
      episode.truncations.push(step.truncated);
      if (step.terminated || step.truncated) break;
    }
    episodes.push(episode);
  }
  return { env, episodes };
}

describe('a dataset of real CartPole-v1 episodes', () => {
  it('reads back exactly what the random policy played', async () => {
    const { env, episodes } = await playRandomEpisodes(3, 100);
    const path = join(root, 'cartpole', 'random-v0');
    const writer = await DatasetWriter.create({ path, observationSpace: env.observationSpace, actionSpace: env.actionSpace });
    for (const episode of episodes) writer.addEpisode(episode);
    writer.finish({
      dataset_id: 'cartpole/random-v0',
      env_spec: { id: 'CartPole-v1', max_episode_steps: 500, kwargs: {} },
      algorithm_name: 'random',
    });
    env.close();

    const dataset = await openDataset(path);
    expect((dataset.observationSpace as Box).shape).toEqual([4]);
    expect(dataset.totalSteps).toBe(episodes.reduce((n, e) => n + e.rewards.length, 0));
    for (const read of dataset.iterateEpisodes()) {
      const played = episodes[read.id];
      expect(read.seed).toBe(played.seed);
      expect(read.observations).toBeInstanceOf(Float32Array);
      const observations = Array.from({ length: read.totalSteps + 1 }, (_, i) => Array.from(rowAt(dataset.observationSpace, read.observations, i) as Float32Array));
      expect(observations).toEqual(played.observations.map((o) => Array.from(o)));
      expect(Array.from(read.actions as Int32Array)).toEqual(played.actions);
      expect(Array.from(read.rewards)).toEqual(played.rewards);
      expect(Array.from(read.terminations, Boolean)).toEqual(played.terminations);
      expect(Array.from(read.truncations, Boolean)).toEqual(played.truncations);
    }
    expect(dataset.returnStats().mean).toBeCloseTo(episodes.reduce((s, e) => s + e.rewards.length, 0) / 3, 10);
    dataset.close();
  });
});
