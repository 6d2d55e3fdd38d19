import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { IsolatedRlft, lastJsonLine } from './helpers/cli.js';

// `rlft eval --record DIR` with the real binary: the first episode as PNG frames plus episode.json.
const rlft = new IsolatedRlft();
afterAll(() => rlft.remove());

describe('rlft eval --record', () => {
  it('writes the first CartPole episode as reset frame + one PNG per step, and leaves the numbers unchanged', async () => {
    const dir = join(rlft.dir, 'cartpole');
    const args = ['eval', '--env', 'CartPole-v1', '--policy', 'random,constant', '--episodes', '2', '--seed', '3', '--json'];
    const recorded = await rlft.run([...args, '--record', dir]);
    expect(recorded.stderr).toMatch(/^Recorded episode 1 of random on CartPole-v1 \(seed 3\): \d+ frames of 600×400/m);
    expect(recorded.code).toBe(0);

    const episode = JSON.parse(readFileSync(join(dir, 'episode.json'), 'utf8'));
    expect(episode).toMatchObject({ env: 'CartPole-v1', policy: 'random', seed: 3, width: 600, height: 400 });
    expect(episode.frames).toBe(episode.length + 1);
    expect(episode.return).toBe(episode.length);
    expect(episode.terminated || episode.truncated).toBe(true);

    const frames = readdirSync(dir).filter((name) => name.endsWith('.png')).sort();
    expect(frames).toHaveLength(episode.length + 1);
    expect(frames[0]).toBe('frame-00000.png');
    expect(frames.at(-1)).toBe(`frame-${String(episode.length).padStart(5, '0')}.png`);
    const first = PNG.sync.read(readFileSync(join(dir, frames[0])));
    const last = PNG.sync.read(readFileSync(join(dir, frames.at(-1)!)));
    for (const png of [first, last]) expect([png.width, png.height]).toEqual([600, 400]);
    // The pole has moved between the reset frame and the terminal one.
    expect(Buffer.compare(first.data, last.data)).not.toBe(0);

    const plain = await rlft.run(args);
    expect(recorded.stdout).toBe(plain.stdout);
    expect(lastJsonLine(recorded.stdout).policy).toBe('constant');
  });

  it('records a MuJoCo env through its software side view', async () => {
    const dir = join(rlft.dir, 'cheetah');
    const result = await rlft.run(['eval', '--env', 'cheetah', '--episodes', '1', '--max-episode-steps', '20', '--record', dir, '--json']);
    expect(result.code).toBe(0);
    const episode = JSON.parse(readFileSync(join(dir, 'episode.json'), 'utf8'));
    expect(episode).toMatchObject({ env: 'HalfCheetah-v5', policy: 'random', seed: 0, frames: 21, length: 20, truncated: true, width: 480, height: 320 });
    expect(episode.return).toBeCloseTo(lastJsonLine(result.stdout).return.mean, 10);
    const frames = readdirSync(dir).filter((name) => name.endsWith('.png'));
    expect(frames).toHaveLength(21);
    const png = PNG.sync.read(readFileSync(join(dir, 'frame-00020.png')));
    expect([png.width, png.height]).toEqual([480, 320]);
  });

  it('refuses a directory that already holds files, before any episode runs', async () => {
    const dir = join(rlft.dir, 'cartpole');
    const again = await rlft.run(['eval', '--env', 'CartPole-v1', '--episodes', '1', '--record', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--record .*cartpole: the directory is not empty/);
    expect(again.stdout).toBe('');
  });

  it('documents what it writes', async () => {
    const { stdout } = await rlft.run(['eval', '--help']);
    expect(stdout).toContain('--record');
    expect(stdout).toContain('frame-00000.png');
    expect(stdout).toContain('episode.json');
  });
});
