import { ConstantPolicy, EnvRegistry, RandomPolicy, evaluatePolicy, type Env } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import plugin from './plugin.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

async function evaluate(id: string, policy: 'random' | 'constant', episodes: number) {
  const env = (await registry().make(id)) as Env<unknown, unknown>;
  const actor = policy === 'random' ? new RandomPolicy(env.actionSpace, 0) : new ConstantPolicy(env.actionSpace);
  return evaluatePolicy(env, actor, { episodes, seed: 0 });
}

describe('the plugin', () => {
  it('registers the five envs with Gymnasium’s ids, time limits and reward thresholds', () => {
    const specs = registry().list();
    expect(specs.map((s) => [s.id, s.maxEpisodeSteps, s.rewardThreshold])).toEqual([
      ['Acrobot-v1', 500, -100],
      ['CartPole-v1', 500, 475],
      ['MountainCar-v0', 200, -110],
      ['MountainCarContinuous-v0', 999, 90],
      ['Pendulum-v1', 200, undefined],
    ]);
    for (const spec of specs) {
      expect(spec.plugin).toBe('@rlft/envs-classic');
      expect(spec.description?.length).toBeGreaterThan(20);
    }
    expect(plugin.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(registry().kwargNames('Pendulum-v1')).toEqual(['g']);
    expect(registry().resolveKwargs('MountainCar-v0')).toEqual({ goal_velocity: 0 });
  });

  it('resolves the short aliases to the versioned ids', async () => {
    const envs = registry();
    const aliases = { cartpole: 'CartPole-v1', pendulum: 'Pendulum-v1', mountaincar: 'MountainCar-v0', 'mountaincar-continuous': 'MountainCarContinuous-v0', acrobot: 'Acrobot-v1' };
    for (const [alias, id] of Object.entries(aliases)) expect(envs.spec(alias).id).toBe(id);
    const env = await envs.make('cartpole');
    expect(env.spec?.id).toBe('CartPole-v1');
  });

  it('truncates through make() at the registered time limit', async () => {
    const env = (await registry().make('CartPole-v1')) as Env<Float32Array, number>;
    let { obs } = env.reset({ seed: 0 });
    let steps = 0;
    for (;;) {
      const result = env.step(obs[2] + 0.5 * obs[3] + 0.05 * obs[0] + 0.1 * obs[1] > 0 ? 1 : 0);
      steps++;
      obs = result.obs;
      if (result.terminated || result.truncated) {
        expect([result.terminated, result.truncated]).toEqual([false, true]);
        break;
      }
    }
    expect(steps).toBe(500);
  });
});

// Gymnasium 1.3 for comparison (same policies, seeds 0…N−1): CartPole random ≈ 22–25, constant
// 9.4; Pendulum random −1200 ± 280; MountainCar random −200; MountainCarContinuous random
// −33.3 ± 0.9; Acrobot random −500.
describe('baselines through the registry match Gymnasium in distribution', () => {
  it('CartPole-v1: random ≈ 22, always-left ≈ 9.4', async () => {
    const random = await evaluate('CartPole-v1', 'random', 100);
    expect(random.return.mean).toBeGreaterThan(18);
    expect(random.return.mean).toBeLessThan(27);
    expect(random.episodes.every((e) => e.terminated && e.return === e.length)).toBe(true);
    const constant = await evaluate('CartPole-v1', 'constant', 100);
    expect(constant.return.mean).toBeGreaterThan(8.5);
    expect(constant.return.mean).toBeLessThan(10.5);
  });

  it('Pendulum-v1: random ≈ −1200 over 200 steps', async () => {
    const random = await evaluate('Pendulum-v1', 'random', 20);
    expect(random.return.mean).toBeGreaterThan(-1500);
    expect(random.return.mean).toBeLessThan(-900);
    expect(random.episodes.every((e) => e.truncated && e.length === 200)).toBe(true);
  });

  it('MountainCar-v0: random never reaches the goal (−200)', async () => {
    const random = await evaluate('MountainCar-v0', 'random', 10);
    expect(random.return).toEqual({ mean: -200, std: 0, min: -200, max: -200 });
  });

  it('MountainCarContinuous-v0: random pays 0.1·E[a²] = 1/30 per step over 999 steps (≈ −33.3)', async () => {
    const random = await evaluate('MountainCarContinuous-v0', 'random', 10);
    for (const episode of random.episodes) {
      if (episode.terminated) expect(episode.return).toBeGreaterThan(60); // the +100 goal reward
      else {
        expect(episode.length).toBe(999);
        expect(episode.return).toBeGreaterThan(-37);
        expect(episode.return).toBeLessThan(-29.5);
      }
    }
  });

  it('Acrobot-v1: random mostly runs out the 500 steps', async () => {
    const random = await evaluate('Acrobot-v1', 'random', 10);
    expect(random.return.mean).toBeLessThan(-400);
    expect(random.return.max).toBeLessThanOrEqual(0);
  });
});
