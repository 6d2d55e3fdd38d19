import { Discrete, Env, PluginHost, z, type ResetResult, type StepResult } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { describeEnv } from './env-description.js';

class CoinFlip extends Env<number, number> {
  readonly observationSpace = new Discrete(2);
  readonly actionSpace = new Discrete(2);
  reset(): ResetResult<number> {
    return { obs: 0, info: {} };
  }
  step(): StepResult<number> {
    return { obs: 0, reward: 0, terminated: true, truncated: false, info: {} };
  }
}

async function hostWith(entryPoint: () => Env): Promise<PluginHost> {
  const host = await PluginHost.create();
  await host.add({
    name: 'test-plugin',
    version: '1.0.0',
    envs: [
      {
        id: 'test/Coin-v0',
        aliases: ['coin'],
        entryPoint,
        maxEpisodeSteps: 10,
        kwargsSchema: z.object({ bias: z.number().default(0.5).describe('probability of heads') }).strict(),
      },
    ],
  });
  return host;
}

describe('describeEnv', () => {
  it('reads the spaces from an instance and the rest from the spec', async () => {
    const host = await hostWith(() => new CoinFlip());
    expect(await describeEnv(host, host.registry.spec('coin'))).toEqual({
      id: 'test/Coin-v0',
      aliases: ['coin'],
      plugin: 'test-plugin',
      maxEpisodeSteps: 10,
      nondeterministic: false,
      expert: false,
      observationSpace: 'Discrete(2)',
      actionSpace: 'Discrete(2)',
      spaces: { observation: new Discrete(2).toJSON(), action: new Discrete(2).toJSON() },
      renderModes: [],
      options: [{ name: 'bias', type: 'number', default: 0.5, description: 'probability of heads' }],
      registeredKwargs: {},
    });
  });

  it('still describes an env that cannot be created, with the reason', async () => {
    const host = await hostWith(() => {
      throw new Error('the simulator library is missing');
    });
    const description = await describeEnv(host, host.registry.spec('test/Coin-v0'));
    expect(description.unavailable).toBe('the simulator library is missing');
    expect(description.observationSpace).toBeUndefined();
    expect(description.options).toHaveLength(1);
  });
});
