import classicControlPlugin from '@rlft/envs-classic/plugin';
import { PluginHost } from '@rlft/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvMaker } from './env-pool.js';
import { EnvReward } from './env-reward.js';
import type { CompletionSample } from './sample.js';

let host: PluginHost;
let makes: string[];
let registry: EnvMaker;

beforeAll(async () => {
  host = new PluginHost();
  expect(await host.add(classicControlPlugin)).toBe(true);
  makes = [];
  // Counts the envs made, to check that the reward keeps one per id.
  registry = { make: (id, kwargs, options) => (makes.push(id), host.registry.make(id, kwargs, options)) };
});

const pendulum = (completion: string, theta: number, thetaDot: number): CompletionSample => ({
  prompt: '',
  prefix: '<action>',
  completion,
  envId: 'Pendulum-v1',
  envState: { seed: 0, state: [theta, thetaDot] },
});

describe('env reward', () => {
  let reward: EnvReward;
  afterAll(() => reward.close());

  it("is the env's one-step reward from the prompt's restored state", async () => {
    reward = new EnvReward({ registry });
    // Pendulum: −(θ² + 0.1·θ̇² + 0.001·u²) for the state before the step.
    const scores = await reward.score([pendulum('2.0</action>', 0.5, 1), pendulum('0.0</action>', 0, 0), pendulum('-1.0</action>', -1, 2)]);
    expect(scores[0]).toBeCloseTo(-(0.25 + 0.1 + 0.004), 6);
    expect(scores[1]).toBeCloseTo(0, 12);
    expect(scores[2]).toBeCloseTo(-(1 + 0.4 + 0.001), 6);
  });

  it('clips continuous actions into the action space, or calls them malformed when told not to', async () => {
    expect((await reward.score([pendulum('5.0</action>', 0.5, 1)]))[0]).toBeCloseTo(-0.354, 6);
    const strict = new EnvReward({ registry, clipActions: false, malformedPenalty: -7 });
    expect(await strict.score([pendulum('5.0</action>', 0.5, 1)])).toEqual([-7]);
    await strict.close();
  });

  it('scores unreadable answers and invalid discrete actions with the penalty', async () => {
    const cartPole = (completion: string): CompletionSample => ({ prompt: '', prefix: '<action>', completion, envId: 'CartPole-v1', envState: { seed: 3 } });
    expect(await reward.score([pendulum('fast</action>', 0, 0), cartPole('1</action>'), cartPole('2</action>'), cartPole('0.5</action>')])).toEqual([
      -10, 1, -10, -10,
    ]);
  });

  it('keeps one env per id across batches', () => {
    expect(makes.filter((id) => id === 'Pendulum-v1')).toHaveLength(2); // this reward's and the strict one's
    expect(makes.filter((id) => id === 'CartPole-v1')).toHaveLength(1);
  });

  it('closes its envs on close() and makes a fresh one when used again', async () => {
    const made: string[] = [];
    const closed: string[] = [];
    const tracking: EnvMaker = {
      make: async (id, kwargs, options) => {
        const env = await host.registry.make(id, kwargs, options);
        const close = env.close.bind(env);
        made.push(id);
        env.close = () => (closed.push(id), close());
        return env;
      },
    };
    const counted = new EnvReward({ registry: tracking, envId: 'CartPole-v1' });
    const sample: CompletionSample = { prompt: '', completion: '<action>0</action>', envState: { seed: 1 } };
    await counted.score([sample, sample]);
    await counted.score([sample]);
    expect([made, closed]).toEqual([['CartPole-v1'], []]);
    await counted.close();
    expect(closed).toEqual(['CartPole-v1']);
    await counted.score([sample]);
    expect(made).toHaveLength(2);
    await counted.close();
  });

  it('falls back to the default env id and says what is missing', async () => {
    const byDefault = new EnvReward({ registry, envId: 'Pendulum-v1' });
    expect((await byDefault.score([{ prompt: '', completion: '<action>0</action>', envState: { state: [1, 0] } }]))[0]).toBeCloseTo(-1, 6);
    await expect(byDefault.score([{ prompt: '', completion: '<action>0</action>' }])).rejects.toThrow(/envState/);
    await expect(reward.score([{ prompt: '', completion: '<action>0</action>', envState: {} }])).rejects.toThrow(/option 'envId'/);
    await byDefault.close();
    expect(() => new EnvReward({} as never)).toThrow(/needs option 'registry'/);
  });
});
