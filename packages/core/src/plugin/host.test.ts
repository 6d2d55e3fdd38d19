import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Env, type StepResult } from '../env.js';
import { PluginLoadError } from '../errors.js';
import type { RewardFunction } from '../reward.js';
import { Discrete } from '../spaces/discrete.js';
import { definePlugin, type RlftPlugin } from './definition.js';
import { PluginHost } from './host.js';
import { AlgorithmContributionToken, EnvContributionToken, PluginToken, PolicyContributionToken, RewardContributionToken } from './tokens.js';

class CoinEnv extends Env<number, number> {
  readonly observationSpace = new Discrete(2);
  readonly actionSpace = new Discrete(2);
  reset() {
    return { obs: 0, info: {} };
  }
  step(action: number): StepResult<number> {
    return { obs: action, reward: action, terminated: true, truncated: false, info: {} };
  }
}

const lengthReward: RewardFunction<string> = { name: 'length', score: (batch) => batch.map((s) => s.length) };

const coinPlugin = definePlugin({
  name: 'coin-plugin',
  version: '1.2.3',
  envs: [{ id: 'coin/Flip-v0', entryPoint: () => new CoinEnv(), maxEpisodeSteps: 4, aliases: ['flip'] }],
  policies: [{ id: 'heads', description: 'always 1', create: () => ({ id: 'heads', act: () => 1 }) }],
  algorithms: [
    {
      id: 'noop',
      description: 'trains nothing',
      configSchema: z.object({}).strict(),
      create: (config) => ({ id: 'noop', config, train: async () => ({ metrics: {}, interrupted: false }) }),
    },
  ],
  rewards: [{ id: 'length', description: 'characters', create: () => lengthReward }],
});

const scratch = mkdtempSync(join(tmpdir(), 'rlft-plugin-host-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeModule(name: string, source: string): string {
  const path = join(scratch, name);
  writeFileSync(path, source);
  return path;
}

describe('PluginHost', () => {
  it('starts with the baseline policies contributed as a plugin', async () => {
    const host = await PluginHost.create();
    expect(host.policies().map((p) => [p.id, p.plugin])).toEqual([
      ['random', '@rlft/core'],
      ['constant', '@rlft/core'],
      ['expert', '@rlft/core'],
    ]);
    expect(host.failures).toEqual([]);
  });

  it('loads a definition object and binds every contribution under its token', async () => {
    const host = new PluginHost();
    expect(await host.add(coinPlugin)).toBe(true);
    expect(host.container.getAll(EnvContributionToken).map((e) => e.id)).toEqual(['coin/Flip-v0']);
    expect(host.container.getAll(PolicyContributionToken)[0]).toMatchObject({ id: 'heads', plugin: 'coin-plugin' });
    expect(host.container.getAll(AlgorithmContributionToken)[0].id).toBe('noop');
    expect(host.container.getAll(RewardContributionToken)[0].id).toBe('length');
    expect(host.container.getAll(PluginToken)[0].plugin.version).toBe('1.2.3');
    expect(host.registry.spec('flip').plugin).toBe('coin-plugin');
    const env = await host.registry.make<number, number>('flip');
    env.reset();
    expect(env.step(1).reward).toBe(1);
    const reward = await host.reward('length').create({});
    expect(await reward.score(['abc'])).toEqual([3]);
  });

  it('loads a plugin written as a function of the host API', async () => {
    const host = new PluginHost();
    let received: Record<string, unknown> | undefined;
    const ok = await host.add((api) => {
      received = api as unknown as Record<string, unknown>;
      class ApiEnv extends api.Env<number, number> {
        readonly observationSpace = new api.Discrete(3);
        readonly actionSpace = new api.Discrete(3);
        reset() {
          return { obs: 0, info: {} };
        }
        step(action: number) {
          return { obs: action, reward: 0, terminated: false, truncated: false, info: {} };
        }
      }
      return api.definePlugin({ name: 'api-plugin', version: '0.0.1', envs: [{ id: 'Api-v0', entryPoint: () => new ApiEnv() }] });
    });
    expect(ok).toBe(true);
    expect(typeof received?.PluginHost).toBe('function');
    const env = await host.registry.make('Api-v0');
    // the plugin's classes come from the host's copy of core, so instanceof holds
    expect(env.unwrapped).toBeInstanceOf(Env);
    expect(env.observationSpace).toBeInstanceOf(Discrete);
  });

  it('loads a module from a file path, remembering where it came from', async () => {
    const path = writeModule(
      'dice-plugin.mjs',
      `export default (api) => {
        class DiceEnv extends api.Env {
          observationSpace = new api.Discrete(6, { start: 1 });
          actionSpace = new api.Discrete(1);
          reset(options = {}) { this.seedOnReset(options.seed); return { obs: this.rng.integer(1, 6), info: {} }; }
          step() { return { obs: this.rng.integer(1, 6), reward: 0, terminated: true, truncated: false, info: {} }; }
        }
        return { name: 'dice-plugin', version: '2.0.0', envs: [{ id: 'Dice-v0', entryPoint: () => new DiceEnv() }] };
      };`,
    );
    const host = new PluginHost();
    expect(await host.load(path)).toBe(true);
    expect(host.plugins[0].source).toMatch(/^file:\/\/.*dice-plugin\.mjs$/);
    const env = await host.registry.make<number, number>('Dice-v0');
    const { obs } = env.reset({ seed: 1 });
    expect(obs).toBeGreaterThanOrEqual(1);
    expect(obs).toBeLessThanOrEqual(6);
  });

  it('records failing plugins by name and keeps loading the others', async () => {
    const host = new PluginHost();
    const missingExport = writeModule('empty-plugin.mjs', 'export const nothing = 1;');
    const throwsOnImport = writeModule('exploding-plugin.mjs', "throw new Error('cannot find native addon');");
    expect(await host.load(missingExport, 'empty-plugin')).toBe(false);
    expect(await host.load(throwsOnImport, 'exploding-plugin')).toBe(false);
    expect(await host.load(join(scratch, 'absent.mjs'), 'absent-plugin')).toBe(false);
    expect(
      await host.add(
        () => {
          throw new Error('boom');
        },
        undefined,
        'broken-plugin',
      ),
    ).toBe(false);
    expect(await host.add({ version: '1' } as RlftPlugin, undefined, 'nameless')).toBe(false);
    expect(await host.add({ name: 'bad-lists', version: '1', envs: {} } as never)).toBe(false);
    expect(await host.add(coinPlugin)).toBe(true);

    expect(host.failures.map((f) => f.plugin)).toEqual(['empty-plugin', 'exploding-plugin', 'absent-plugin', 'broken-plugin', 'nameless', 'bad-lists']);
    for (const failure of host.failures) expect(failure.error).toBeInstanceOf(PluginLoadError);
    const messages = host.failures.map((f) => f.error.message);
    expect(messages[0]).toBe("Plugin 'empty-plugin' failed to load: the module has no default export (a plugin definition or a function of the core API)");
    expect(messages[1]).toBe("Plugin 'exploding-plugin' failed to load: cannot find native addon");
    expect(messages[3]).toBe("Plugin 'broken-plugin' failed to load: boom");
    expect(messages[4]).toBe("Plugin 'nameless' failed to load: the definition has no 'name'");
    expect(messages[5]).toBe("Plugin 'bad-lists' failed to load: 'envs' must be an array");
    expect(host.plugins.map((p) => p.plugin.name)).toEqual(['coin-plugin']);
    expect(host.registry.has('coin/Flip-v0')).toBe(true);
  });

  it('rejects a plugin whose ids are taken, leaving the first one in place', async () => {
    const host = await PluginHost.create();
    await host.add(coinPlugin);
    const clash = (overrides: Partial<RlftPlugin>) => ({ name: 'clash', version: '1', ...overrides });
    expect(await host.add(clash({ policies: [{ id: 'random', description: '', create: () => ({ id: 'random', act: () => 0 }) }] }))).toBe(false);
    expect(await host.add(clash({ envs: [{ id: 'coin/Flip-v0', entryPoint: () => new CoinEnv() }] }))).toBe(false);
    expect(await host.add({ ...coinPlugin })).toBe(false);
    expect(
      await host.add(
        clash({
          rewards: [
            { id: 'twice', description: '', create: () => lengthReward },
            { id: 'twice', description: '', create: () => lengthReward },
          ],
        }),
      ),
    ).toBe(false);
    expect(host.failures.map((f) => f.error.message)).toEqual([
      "Plugin 'clash' failed to load: its policy 'random' is already provided by plugin '@rlft/core'",
      "Plugin 'clash' failed to load: its environment 'coin/Flip-v0' is already registered by plugin 'coin-plugin'",
      "Plugin 'coin-plugin' failed to load: a plugin with this name is already loaded",
      "Plugin 'clash' failed to load: it lists the reward 'twice' twice",
    ]);
    expect(host.policy('random').plugin).toBe('@rlft/core');
    expect(host.registry.spec('coin/Flip-v0').plugin).toBe('coin-plugin');
    expect(host.plugins.map((p) => p.plugin.name)).toEqual(['@rlft/core', 'coin-plugin']);
  });

  it('registers none of the envs of a plugin that fails part way', async () => {
    const host = new PluginHost();
    const ok = await host.add({
      name: 'half',
      version: '1',
      envs: [
        { id: 'Good-v0', entryPoint: () => new CoinEnv() },
        { id: 'Good-v0', entryPoint: () => new CoinEnv() },
      ],
    });
    expect(ok).toBe(false);
    expect(host.failures[0].error.message).toMatch(/^Plugin 'half' failed to load: .*Good-v0/);
    expect(host.registry.has('Good-v0')).toBe(false);
    // so that a corrected version of the plugin can still load
    expect(await host.add({ name: 'half', version: '2', envs: [{ id: 'Good-v0', entryPoint: () => new CoinEnv() }] })).toBe(true);
  });

  it('finds contributions by id and suggests the closest for unknown ones', async () => {
    const host = await PluginHost.create();
    await host.add(coinPlugin);
    expect(host.algorithm('noop').plugin).toBe('coin-plugin');
    expect(() => host.policy('randm')).toThrow("Unknown policy 'randm'. Did you mean: random? Available: random, constant, expert, heads.");
    expect(() => new PluginHost().algorithm('ppo')).toThrow("Unknown algorithm 'ppo'. No algorithms are registered yet.");
  });
});
