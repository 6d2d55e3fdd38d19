import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinPluginEntries, createPluginHost } from './host.js';
import { readPreset } from './presets.js';
import { mergeRunSettings, resolveAlgorithmConfig } from './run-settings.js';

const cliRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const configDir = resolve(cliRoot, '../../config');
const presets = readdirSync(configDir).filter((name) => name.endsWith('.yaml'));
// A preset may target an env from one of the repo's plugin packages (its header says to install it).
const pluginsDir = resolve(cliRoot, '../../plugins');
const repoPlugins = readdirSync(pluginsDir).map((dir) => join(pluginsDir, dir, 'dist', 'plugin.js'));

describe('the presets in config/', () => {
  it('are there', () => {
    expect(presets).toEqual(expect.arrayContaining(['ppo-cartpole.yaml', 'ppo-pendulum.yaml']));
  });

  it.each(presets)('%s names an env (built in or from plugins/) and a registered algorithm, and its config passes the algorithm schema', async (name) => {
    const { builtinPlugins } = (JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8')) as { rlft: { builtinPlugins: string[] } }).rlft;
    const host = await createPluginHost(builtinPluginEntries(cliRoot, builtinPlugins));
    for (const entry of repoPlugins) await host.load(entry);
    expect(host.failures).toEqual([]);
    const preset = readPreset(join(configDir, name));
    const settings = mergeRunSettings(preset, {}, (a, b) => host.registry.spec(a).id === host.registry.spec(b).id);
    expect(settings.env).toBeDefined();
    expect(settings.algo).toBeDefined();
    host.registry.resolveKwargs(host.registry.spec(settings.env!).id, settings.envKwargs);
    const config = resolveAlgorithmConfig(host.algorithm(settings.algo!), settings);
    // Every value the file sets survives validation unchanged (nothing silently dropped).
    expect(config).toMatchObject(preset.preset.config ?? {});
  });
});
