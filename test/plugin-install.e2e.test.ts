import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsolatedRlft, buildAndPack, lastJsonLine, repoRoot } from './helpers/cli.js';

// The example plugin goes through the path an outsider's package takes: build, `npm pack`,
// `rlft plugins install <tarball>` into an isolated data directory, use, uninstall.
const rlft = new IsolatedRlft();
const pluginDir = join(repoRoot, 'plugins/example-gridworld');
let tarball: string;
let packedFiles: string[];

beforeAll(() => {
  ({ tarball, files: packedFiles } = buildAndPack(pluginDir, join(rlft.dir, 'pack')));
});

afterAll(() => rlft.remove());

describe('the packed example plugin', () => {
  it('ships the compiled entry, its README and package.json, and no sources or tests', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/plugin.js', 'dist/grid-world.js', 'dist/layout.js']));
    expect(packedFiles.filter((f) => f.startsWith('src/') || f.includes('.test.'))).toEqual([]);
  });
});

describe('rlft plugins install <tarball>', () => {
  it('installs the tarball into the data directory without fetching any @rlft package', async () => {
    const { code, stderr } = await rlft.run(['plugins', 'install', tarball], { timeoutMs: 120_000 });
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    const installed = join(rlft.dir, 'data', 'node_modules');
    expect(existsSync(join(installed, 'rlft-env-gridworld', 'dist', 'plugin.js'))).toBe(true);
    expect(existsSync(join(installed, '@rlft'))).toBe(false);
    const list = await rlft.run(['plugins']);
    expect(list.stdout).toMatch(/rlft-env-gridworld 0\.1\.0/);
  });

  it('makes its environment appear in `rlft envs list`, next to the built-in ones', async () => {
    const { code, stdout, stderr } = await rlft.run(['envs', 'list', '--json']);
    expect(code).toBe(0);
    expect(stderr).not.toContain('failed to load');
    const envs = JSON.parse(stdout) as Record<string, any>[];
    expect(envs.find((e) => e.id === 'gridworld/GridWorld-v0')).toMatchObject({
      plugin: 'rlft-env-gridworld',
      aliases: ['gridworld'],
      actionSpace: 'Discrete(4)',
      spaces: { observation: { type: 'Box', shape: [8, 8], dtype: 'uint8' } },
    });
    expect(envs.some((e) => e.id === 'CartPole-v1')).toBe(true);
  });

  it('evaluates it with `rlft eval`, including the policy the plugin contributes', async () => {
    const { code, stdout } = await rlft.run(['eval', '--env', 'gridworld', '--policy', 'random,shortest-path', '--episodes', '20', '--seed', '0', '-k', 'size=6', '--json']);
    expect(code).toBe(0);
    const [random, shortest] = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(random).toMatchObject({ env: 'gridworld/GridWorld-v0', policy: 'random', episodes: 20 });
    expect(shortest).toMatchObject({ env: 'gridworld/GridWorld-v0', policy: 'shortest-path', episodes: 20 });
    expect(shortest.return.min).toBeGreaterThan(0.8);
    expect(shortest.return.mean).toBeGreaterThan(random.return.mean + 0.3);
  });

  it('reports its own option errors through the CLI', async () => {
    const { code, stderr } = await rlft.run(['eval', '--env', 'gridworld', '-k', 'wall_density=0.9']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Invalid options for gridworld\/GridWorld-v0: 'wall_density'/);
  });

  it('uninstalls it: the environment is gone again', async () => {
    const { code } = await rlft.run(['plugins', 'uninstall', 'rlft-env-gridworld'], { timeoutMs: 120_000 });
    expect(code).toBe(0);
    const list = await rlft.run(['envs', 'list', '--json']);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((e) => e.id)).not.toContain('gridworld/GridWorld-v0');
    const evaluation = await rlft.run(['eval', '--env', 'gridworld']);
    expect(evaluation.code).toBe(1);
    expect(evaluation.stderr).toContain("No environment 'gridworld' is registered");
  });
});

describe('a plugin that fails to load', () => {
  it('is reported by name on stderr and skipped; the CLI keeps working', async () => {
    const link = await rlft.run(['plugins', 'link', '--no-install', join(repoRoot, 'test/fixtures/broken-plugin')]);
    expect(link.code).toBe(0);
    const list = await rlft.run(['envs', 'list']);
    expect(list.code).toBe(0);
    expect(list.stderr).toContain("Plugin 'rlft-fixture-broken' failed to load: this plugin is broken on purpose");
    expect(list.stdout).toMatch(/^CartPole-v1\s/m);
    const evaluation = await rlft.run(['eval', '--env', 'CartPole-v1', '--episodes', '3', '--json']);
    expect(evaluation.code).toBe(0);
    expect(lastJsonLine(evaluation.stdout).episodes).toBe(3);
  });
});
