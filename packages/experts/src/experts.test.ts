import { PluginHost, evaluatePolicy } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import plugin from './plugin.js';

async function hostWithExperts(): Promise<PluginHost> {
  const host = await PluginHost.create();
  for (const module of ['@rlft/envs-classic/plugin', '@rlft/envs-mujoco/plugin']) expect(await host.load(module)).toBe(true);
  expect(await host.add(plugin)).toBe(true);
  return host;
}

async function expertReturn(host: PluginHost, envId: string, episodes: number): Promise<number> {
  const env = await host.registry.make(envId);
  const spec = host.registry.spec(envId);
  const policy = await host.policy('expert').create({}, { envId: spec.id, spec, expert: host.expertFor(envId)!, observationSpace: env.observationSpace, actionSpace: env.actionSpace });
  const result = await evaluatePolicy(env, policy, { episodes, seed: 500 });
  env.close();
  return result.return.mean;
}

describe('the shipped experts', () => {
  it('solve CartPole-v1 on unseen seeds', async () => {
    expect(await expertReturn(await hostWithExperts(), 'cartpole', 3)).toBe(500);
  });

  it("play HalfCheetah-v5 at the 'medium' level (≥ 1,500)", async () => {
    expect(await expertReturn(await hostWithExperts(), 'cheetah', 1)).toBeGreaterThanOrEqual(1500);
  });

  it("refuse an env whose spaces differ from the checkpoint's", async () => {
    const host = await hostWithExperts();
    const env = await host.registry.make('CartPole-v1');
    const cheetahExpert = plugin.experts!.find((e) => e.envId === 'HalfCheetah-v5')!;
    await expect(async () => cheetahExpert.create({ envId: 'CartPole-v1', observationSpace: env.observationSpace, actionSpace: env.actionSpace }, {})).rejects.toThrow(/CartPole-v1/);
  });
});

describe('shipped datasets', async () => {
  const { openDataset } = await import('@rlft/data');
  const { shippedDataset, shippedDatasetEnvs } = await import('./datasets.js');
  it('exist for CartPole and HalfCheetah and hold the expert episodes', async () => {
    expect(shippedDatasetEnvs().sort()).toEqual(['CartPole-v1', 'HalfCheetah-v5']);
    const cartpole = await openDataset(shippedDataset('CartPole-v1')!.path);
    expect(cartpole.metadata.total_episodes).toBe(10);
    expect(cartpole.metadata.total_steps).toBe(5000);
    cartpole.close();
    expect(shippedDataset('Pendulum-v1')).toBeUndefined();
  });
});
