import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, IsolatedRlft, lastJsonLine } from './helpers/cli.js';

// The real `rlft` binary, run as a user would, in an isolated data directory.
const rlft = new IsolatedRlft();
afterAll(() => rlft.remove());

const CLASSIC = ['CartPole-v1', 'Pendulum-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Acrobot-v1'];

/** A clean error: non-zero exit, the message on stderr, no stack trace. */
function expectCleanError(result: { code: number | null; stderr: string }, message: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('rlft --help', () => {
  it('lists the topics and commands', async () => {
    const { code, stdout } = await rlft.run(['--help']);
    expect(code).toBe(0);
    for (const word of ['envs', 'eval', 'run', 'export', 'plugins']) expect(stdout).toMatch(new RegExp(`^\\s+${word}\\s`, 'm'));
  });

  it('documents the eval flags', async () => {
    const { code, stdout } = await rlft.run(['eval', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--env', '--policy', '--episodes', '--seed', '--json', '--kwarg', '--policy-opt', '--checkpoint', '--model', '--max-episode-steps']) expect(stdout).toContain(flag);
  });
});

describe('rlft envs', () => {
  it('lists the classic-control environments with their spaces and plugin', async () => {
    const { code, stdout, stderr } = await rlft.run(['envs', 'list']);
    expect(code).toBe(0);
    expect(stderr).not.toContain('failed to load');
    for (const id of CLASSIC) expect(stdout).toMatch(new RegExp(`^${id}\\s.*@rlft/envs-classic$`, 'm'));
    expect(stdout).toMatch(/^CartPole-v1\s.*Box\(.*\(4,\), float32\)\s+Discrete\(2\)/m);
  });

  it('--json gives one object per environment with spaces in text and JSON form', async () => {
    const { code, stdout } = await rlft.run(['envs', 'list', '--json']);
    expect(code).toBe(0);
    const envs = JSON.parse(stdout) as Record<string, any>[];
    expect(envs.map((e) => e.id)).toEqual(expect.arrayContaining(CLASSIC));
    const cartPole = envs.find((e) => e.id === 'CartPole-v1')!;
    expect(cartPole).toMatchObject({ plugin: '@rlft/envs-classic', actionSpace: 'Discrete(2)', maxEpisodeSteps: 500 });
    expect(cartPole.spaces.action).toMatchObject({ type: 'Discrete', n: 2, start: 0 });
    expect(cartPole.spaces.observation).toMatchObject({ type: 'Box', shape: [4], dtype: 'float32' });
  });

  it('info shows the spec', async () => {
    const { code, stdout } = await rlft.run(['envs', 'info', 'CartPole-v1']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Max episode steps:\s+500$/m);
    expect(stdout).toMatch(/^Reward threshold:\s+475$/m);
    expect(stdout).toMatch(/^Action space:\s+Discrete\(2\)$/m);
    expect(stdout).toMatch(/^Plugin:\s+@rlft\/envs-classic$/m);

    const json = JSON.parse((await rlft.run(['envs', 'info', 'MountainCar-v0', '--json'])).stdout);
    expect(json).toMatchObject({ id: 'MountainCar-v0', maxEpisodeSteps: 200, actionSpace: 'Discrete(3)' });
    expect(Array.isArray(json.options)).toBe(true);
  });

  it('an unknown id names the closest ones', async () => {
    expectCleanError(await rlft.run(['envs', 'info', 'CartPol-v1']), /No environment 'CartPol-v1' is registered\. Did you mean: CartPole-v1/);
  });
});

describe('rlft eval', () => {
  it('random on CartPole-v1: mean return near Gymnasium (about 22) over 100 seeded episodes', async () => {
    const { code, stdout } = await rlft.run(['eval', '--env', 'CartPole-v1', '--policy', 'random', '--episodes', '100', '--seed', '0', '--json']);
    expect(code).toBe(0);
    const result = lastJsonLine(stdout);
    expect(Object.keys(result)).toEqual(['env', 'policy', 'episodes', 'seed', 'return', 'length']);
    expect(result).toMatchObject({ env: 'CartPole-v1', policy: 'random', episodes: 100, seed: 0 });
    expect(result.return.mean).toBeGreaterThan(18);
    expect(result.return.mean).toBeLessThan(27);
    // Reward is 1 per step, so return and length agree.
    expect(result.length.mean).toBeCloseTo(result.return.mean, 10);
    expect(result.return.min).toBeGreaterThanOrEqual(8);
    expect(result.return.max).toBeLessThanOrEqual(500);
  });

  it('constant on CartPole-v1: about 9.4', async () => {
    const { code, stdout } = await rlft.run(['eval', '--env', 'CartPole-v1', '--policy', 'constant', '--episodes', '100', '--seed', '0', '--json']);
    expect(code).toBe(0);
    const result = lastJsonLine(stdout);
    expect(result.return.mean).toBeGreaterThan(8.5);
    expect(result.return.mean).toBeLessThan(10.5);
  });

  it('several policies give one JSON line each, and the same seed gives the same numbers', async () => {
    const both = await rlft.run(['eval', '-e', 'CartPole-v1', '-p', 'random,constant', '-n', '20', '-s', '3', '--json']);
    const alone = await rlft.run(['eval', '-e', 'CartPole-v1', '-p', 'random', '-n', '20', '-s', '3', '--json']);
    expect(both.code).toBe(0);
    const lines = both.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((l) => l.policy)).toEqual(['random', 'constant']);
    expect(lines[0]).toEqual(lastJsonLine(alone.stdout));
  });

  it('prints a readable table without --json', async () => {
    const { code, stdout } = await rlft.run(['eval', '--env', 'CartPole-v1', '--policy', 'random,constant', '--episodes', '5']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^policy\s+episodes\s+return \(mean ± std\)\s+min\s+max\s+length \(mean\)$/m);
    expect(stdout).toMatch(/^random\s+5\s+\d+\.\d\d ± \d+\.\d\d\s/m);
    expect(stdout).toMatch(/^constant\s+5\s/m);
  });

  it('passes env options (-k, values read as JSON) and the time-limit override', async () => {
    // Sutton & Barto's reward: 0 per step, -1 on termination.
    const suttonBarto = await rlft.run(['eval', '-e', 'CartPole-v1', '-p', 'constant', '-n', '5', '-k', 'sutton_barto_reward=true', '--json']);
    expect(suttonBarto.code).toBe(0);
    expect(lastJsonLine(suttonBarto.stdout).return).toEqual({ mean: -1, std: 0, min: -1, max: -1 });
    const limited = await rlft.run(['eval', '-e', 'Pendulum-v1', '-p', 'constant', '-n', '3', '--max-episode-steps', '7', '--json']);
    expect(limited.code).toBe(0);
    expect(lastJsonLine(limited.stdout).length).toEqual({ mean: 7, std: 0, min: 7, max: 7 });
  });

  it('rejects bad flag values, naming what is allowed', async () => {
    expectCleanError(await rlft.run(['eval', '--env', 'CartPole-v1', '--episodes', '0']), /--episodes[\s\S]*greater than or equal to 1/);
    expectCleanError(await rlft.run(['eval', '--env', 'CartPole-v1', '--seed', 'abc']), /--seed[\s\S]*Expected an integer/);
    expectCleanError(await rlft.run(['eval', '--env', 'CartPole-v1', '-k', 'gravity']), /Malformed -k 'gravity': expected key=value/);
    expectCleanError(await rlft.run(['eval', '--env', 'CartPole-v1', '-k', 'gravty=9.8']), /Invalid options for CartPole-v1: unknown option 'gravty'/);
    expectCleanError(await rlft.run(['eval', '--env', 'CartPole-v1', '--policy', 'randm']), /Unknown policy 'randm'\. Did you mean: random\? Available: random, constant/);
    expectCleanError(await rlft.run(['eval', '--env', 'CartPole-v1', '--policy', 'constant', '--policy-opt', 'value=5']), /value 5 is not in Discrete\(2\)/);
    expectCleanError(await rlft.run(['eval', '--env', 'CartPole']), /No environment 'CartPole' is registered\..*CartPole-v1/);
  });

  it('Ctrl-C stops between episodes and still prints the partial result', async () => {
    const episodes = 10_000_000;
    const child = rlft.spawn(['eval', '--env', 'CartPole-v1', '--episodes', String(episodes), '--json', '--progress']);
    // Interrupt once progress shows finished episodes (so the handler is installed and work is under way).
    child.stderr!.setEncoding('utf8').on('data', function watch(chunk: string) {
      if (/episode [1-9]/.test(chunk)) {
        child.stderr!.off('data', watch);
        child.kill('SIGINT');
      }
    });
    const result = await collect(child, 60_000);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('Interrupted');
    const partial = lastJsonLine(result.stdout);
    expect(partial.episodes).toBeGreaterThan(0);
    expect(partial.episodes).toBeLessThan(episodes);
    expect(partial.return.mean).toBeGreaterThan(5);
  });
});

describe('rlft run', () => {
  it('without --algo lists the built-in training algorithms', async () => {
    const { code, stdout, stderr } = await rlft.run(['run']);
    expect(code).toBe(0);
    expect(stderr).not.toContain('failed to load');
    for (const [algo, plugin] of [
      ['ppo', '@rlft/algo-ppo'],
      ['reinforce', '@rlft/algo-reinforce'],
      ['grpo-mlp', '@rlft/algo-grpo'],
      ['grpo', '@rlft/algo-grpo'],
    ]) {
      expect(stdout).toMatch(new RegExp(`^${algo}\\s+${plugin}\\s`, 'm'));
    }
  });

  it('documents its flags, and those of export', async () => {
    const run = await rlft.run(['run', '--help']);
    for (const flag of ['--config', '--env', '--algo', '--set', '--steps', '--seed', '--kwarg', '--out', '--resume', '--eval-episodes', '--json', '--progress']) {
      expect(run.stdout).toContain(flag);
    }
    const exported = await rlft.run(['export', '--help']);
    for (const flag of ['--checkpoint', '--format', '--out']) expect(exported.stdout).toContain(flag);
  });

  it('rejects a config key the algorithm does not have, naming the allowed ones, before training', async () => {
    expectCleanError(
      await rlft.run(['run', '--env', 'CartPole-v1', '--algo', 'ppo', '--set', 'lr=0.1', '--out', join(rlft.dir, 'runs')]),
      /Invalid options for algorithm 'ppo': unknown option 'lr'.*Allowed: .*learning_rate.*Set by: 'lr' from --set lr=0\.1\./,
    );
    expect(existsSync(join(rlft.dir, 'runs'))).toBe(false);
  });
});
