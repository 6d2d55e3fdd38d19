import classicControlPlugin from '@rlft/envs-classic/plugin';
import { InvalidKwargsError, PluginHost, definePlugin, describeOptions, type RewardFunction } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { composeRewards } from './compose.js';
import rewardsPlugin from './plugin.js';
import type { CompletionSample } from './sample.js';

async function hostWithRewards(): Promise<PluginHost> {
  const host = await PluginHost.create();
  expect(await host.add(rewardsPlugin)).toBe(true);
  return host;
}

const prefilled = (completion: string, extra: Partial<CompletionSample> = {}): CompletionSample => ({ prompt: '', prefix: '<action>', completion, ...extra });

describe('rewards plugin', () => {
  it('contributes format, bc, env, length, task and learned, each with a strict options schema', async () => {
    const host = await hostWithRewards();
    expect(host.rewards().map((r) => r.id)).toEqual(['format', 'bc', 'env', 'length', 'task', 'learned']);
    for (const contribution of host.rewards()) expect(describeOptions(contribution.optionsSchema).length).toBeGreaterThan(0);
    await expect(Promise.resolve().then(() => host.reward('format').create({ dims: 2, penalty: -5 }))).rejects.toThrow(InvalidKwargsError);
    await expect(Promise.resolve().then(() => host.reward('bc').create({ format: 'binned' }))).rejects.toThrow(/format/);
    expect(() => host.reward('fromat')).toThrow(/Did you mean: format/);
  });

  it('builds working rewards from plain options (defaults filled in)', async () => {
    const host = await hostWithRewards();
    const format = (await host.reward('format').create({ dims: 1 })) as RewardFunction<CompletionSample>;
    expect(await format.score([prefilled('0.5</action>'), prefilled('0.5</action>ab')])).toEqual([1, expect.closeTo(-0.2, 12)]);
    const bc = (await host.reward('bc').create({ format: 'discretised', ranges: { min: [0], max: [999] } })) as RewardFunction<CompletionSample>;
    expect(await bc.score([prefilled('3</action>', { referenceAction: [1] })])).toEqual([-4]);
  });

  it("makes env rewards with the host's registry passed as an option", async () => {
    const host = await hostWithRewards();
    expect(await host.add(classicControlPlugin)).toBe(true);
    await expect(Promise.resolve().then(() => host.reward('env').create({ envId: 'Pendulum-v1' }))).rejects.toThrow(/registry/);
    const env = (await host.reward('env').create({ registry: host.registry, envId: 'Pendulum-v1' })) as RewardFunction<CompletionSample> & { close(): Promise<void> };
    const [score] = await env.score([prefilled('0</action>', { envState: { state: [1, 0] } })]);
    expect(score).toBeCloseTo(-1, 6);
    await env.close();
  });

  it('resolves a third-party reward registered the same way, next to the built-in ones', async () => {
    const host = await hostWithRewards();
    const brevity: RewardFunction<CompletionSample> = { name: 'brevity', score: (batch) => batch.map((s) => (s.completion.length <= 12 ? 1 : 0)) };
    const thirdParty = definePlugin({
      name: 'acme-rewards',
      version: '1.0.0',
      rewards: [{ id: 'brevity', description: '1 for a completion of at most 12 characters', create: () => brevity }],
    });
    expect(await host.add(thirdParty)).toBe(true);
    expect(host.reward('brevity').plugin).toBe('acme-rewards');
    expect(host.reward('format').plugin).toBe('@rlft/rewards');

    const parts = [
      { reward: (await host.reward('format').create({ dims: 1 })) as RewardFunction<CompletionSample>, weight: 1 },
      { reward: (await host.reward('brevity').create({})) as RewardFunction<CompletionSample>, weight: 3 },
    ];
    const { total, components } = await composeRewards(parts).scoreWithComponents([prefilled('1</action>'), prefilled('1</action> and more text')]);
    expect(components.brevity).toEqual([1, 0]);
    expect(total[0]).toBe(4);
    expect(total[1]).toBeCloseTo(-1.4, 12); // 1 − 0.1·14 + 0

    // A third party cannot take an id that is already provided.
    const clash = definePlugin({ name: 'clash', version: '1.0.0', rewards: [{ id: 'format', description: '', create: () => brevity }] });
    expect(await host.add(clash)).toBe(false);
    expect(host.failures.at(-1)?.error.message).toMatch(/reward 'format' is already provided by plugin '@rlft\/rewards'/);
  });
});
