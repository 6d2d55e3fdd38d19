import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsolatedRlft, buildAndPack, repoRoot } from './helpers/cli.js';

// The Rapier plugin goes the way an outsider's package goes: build, `npm pack`, `rlft plugins
// install <tarball>` into an isolated data directory, use, uninstall. Unlike the grid world it
// has a runtime dependency (@dimforge/rapier3d-compat), which the install fetches from npm.
const rlft = new IsolatedRlft();
const pluginDir = join(repoRoot, 'plugins/rapier-plate');
const ID = 'rapier/BallOnPlate-v0';
let tarball: string;
let packedFiles: string[];

beforeAll(() => {
  ({ tarball, files: packedFiles } = buildAndPack(pluginDir, join(rlft.dir, 'pack')));
});

afterAll(() => rlft.remove());

describe('the packed Rapier plugin', () => {
  it('ships the compiled entry, its README and package.json, and no sources or tests', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/plugin.js', 'dist/ball-on-plate.js', 'dist/plate-world.js']));
    expect(packedFiles.filter((f) => f.startsWith('src/') || f.includes('.test.'))).toEqual([]);
  });
});

describe('rlft plugins install <tarball>', () => {
  it('installs it with Rapier from the registry and no @rlft package of its own', async () => {
    const { code, stderr } = await rlft.run(['plugins', 'install', tarball], { timeoutMs: 180_000 });
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    const installed = join(rlft.dir, 'data', 'node_modules');
    expect(existsSync(join(installed, 'rlft-env-rapier-plate', 'dist', 'plugin.js'))).toBe(true);
    expect(existsSync(join(installed, '@dimforge', 'rapier3d-compat', 'package.json'))).toBe(true);
    expect(existsSync(join(installed, '@rlft'))).toBe(false);
  });

  it('lists BallOnPlate in `rlft envs list --json` with its spaces', async () => {
    const { code, stdout, stderr } = await rlft.run(['envs', 'list', '--json']);
    expect(code).toBe(0);
    expect(stderr).not.toContain('failed to load');
    const envs = JSON.parse(stdout) as Record<string, any>[];
    expect(envs.find((e) => e.id === ID)).toMatchObject({
      plugin: 'rlft-env-rapier-plate',
      aliases: ['ballplate'],
      actionSpace: 'Box(-1.0, 1.0, (2,), float32)',
      spaces: { observation: { type: 'Box', shape: [8], dtype: 'float32' } },
    });
  });

  it('evaluates the random policy with `rlft eval`, the same numbers for the same seed', async () => {
    const args = ['eval', '--env', 'ballplate', '--policy', 'random', '--episodes', '3', '--seed', '0', '--json'];
    const first = await rlft.run(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout.trim());
    expect(result).toMatchObject({ env: ID, policy: 'random', episodes: 3 });
    // a random policy lets the ball roll off long before the 500-step limit
    expect(result.length.max).toBeLessThan(500);
    expect(result.return.mean).toBeGreaterThan(0);
    const again = await rlft.run(args);
    expect(JSON.parse(again.stdout.trim()).return).toEqual(result.return);
  });

  it('reports its own option errors through the CLI', async () => {
    const { code, stderr } = await rlft.run(['eval', '--env', 'ballplate', '-k', 'ball_radius=0.2']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Invalid options for rapier\/BallOnPlate-v0: 'ball_radius'/);
  });

  it('uninstalls it: the environment is gone again', async () => {
    const { code } = await rlft.run(['plugins', 'uninstall', 'rlft-env-rapier-plate'], { timeoutMs: 120_000 });
    expect(code).toBe(0);
    const list = await rlft.run(['envs', 'list', '--json']);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((e) => e.id)).not.toContain(ID);
  });
});
