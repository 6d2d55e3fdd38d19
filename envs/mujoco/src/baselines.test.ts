// HalfCheetah-v5 baselines next to Gymnasium 1.3's (shared/specs/reference-envs.md, 10
// episodes, seeds 42–51): random −278.7 ± 66.1, zeros −0.37 ± 0.59. Our simulator, MuJoCo
// version and random streams differ, so the means are compared within a band: three standard
// errors of a 10-episode mean.
import { ConstantPolicy, EnvRegistry, RandomPolicy, evaluatePolicy, type Env } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import plugin from './plugin.js';

async function cheetah(): Promise<Env<Float64Array, Float32Array>> {
  const registry = new EnvRegistry();
  for (const registration of plugin.envs ?? []) registry.register(registration, plugin.name);
  return registry.make('cheetah');
}

describe('HalfCheetah-v5 baselines (10 episodes of 1000 steps, seeds 42–51)', () => {
  it('random policy: near Gymnasium\'s −278.7 ± 66.1', async () => {
    const env = await cheetah();
    try {
      const started = performance.now();
      const result = await evaluatePolicy(env, new RandomPolicy(env.actionSpace), { episodes: 10, seed: 42 });
      const stepsPerSecond = (10_000 / (performance.now() - started)) * 1000;
      console.log(`HalfCheetah-v5 random: ${result.return.mean.toFixed(1)} ± ${result.return.std.toFixed(1)} (${stepsPerSecond.toFixed(0)} env steps/s through make())`);
      expect(result.episodes.every((episode) => episode.length === 1000 && episode.truncated && !episode.terminated)).toBe(true);
      expect(Math.abs(result.return.mean - -278.7)).toBeLessThan((3 * 66.1) / Math.sqrt(10));
      expect(result.return.std).toBeGreaterThan(30);
      expect(result.return.std).toBeLessThan(130);
    } finally {
      env.close();
    }
  });

  it('zero action: near Gymnasium\'s −0.37 ± 0.59', async () => {
    const env = await cheetah();
    try {
      const result = await evaluatePolicy(env, new ConstantPolicy(env.actionSpace, 0), { episodes: 10, seed: 42 });
      expect(Math.abs(result.return.mean - -0.37)).toBeLessThan((3 * 0.59) / Math.sqrt(10));
      expect(result.return.std).toBeLessThan(1.5);
    } finally {
      env.close();
    }
  });
});
