// A simulation that diverges ends the episode as truncated with info.unstable, instead of
// continuing from the pose MuJoCo silently reset it to.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvRegistry, ResetNeededError } from '@rlft/core';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_MODELS_DIR, HalfCheetahEnv } from './index.js';
import plugin from './plugin.js';

const dir = mkdtempSync(join(tmpdir(), 'rlft-mujoco-unstable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The cheetah with an absurd back-thigh gear, so that one full push blows the simulation up. */
function explosiveCheetah(options = ''): string {
  const xml = readFileSync(join(BUNDLED_MODELS_DIR, 'half_cheetah.xml'), 'utf8')
    .replace('gear="120"', 'gear="1e12"')
    .replace('<option timestep="0.01"/>', `<option timestep="0.01">${options}</option>`);
  const path = join(dir, `explosive${options ? '-no-autoreset' : ''}.xml`);
  writeFileSync(path, xml);
  return path;
}

const PUSH = new Float32Array([1, 0, 0, 0, 0, 0]);

describe('a diverging simulation', () => {
  it("is truncated with info.unstable and MuJoCo's warning, returns the last finite observation, and needs a reset", async () => {
    const env = await HalfCheetahEnv.create({ xml_file: explosiveCheetah() });
    try {
      const { obs: start } = env.reset({ seed: 0 });
      const { obs, reward, terminated, truncated, info } = env.step(PUSH);
      expect({ terminated, truncated, reward }).toEqual({ terminated: false, truncated: true, reward: 0 });
      expect(info).toEqual({ unstable: true, mujoco_warnings: ['BADQACC'] });
      expect(obs).toEqual(start);
      expect(obs).not.toBe(start);
      expect(() => env.step(PUSH)).toThrow(ResetNeededError);
      expect(() => env.step(PUSH)).toThrow(/diverged/);
      env.reset({ seed: 1 });
      expect(env.step(new Float32Array(6)).truncated).toBe(false);
    } finally {
      env.close();
    }
  });

  it('is caught when the model turns MuJoCo\'s own reset off and the state becomes NaN', async () => {
    const env = await HalfCheetahEnv.create({ xml_file: explosiveCheetah('<flag autoreset="disable"/>') });
    try {
      env.reset({ seed: 0 });
      const { obs, truncated, info } = env.step(PUSH);
      expect(truncated).toBe(true);
      expect(info.unstable).toBe(true);
      expect(obs.every(Number.isFinite)).toBe(true);
      expect(env.getState().some(Number.isNaN)).toBe(true);
    } finally {
      env.close();
    }
  });

  it('is caught from a start state MuJoCo rejects (a velocity above 1e10), through make() as well', async () => {
    const registry = new EnvRegistry();
    for (const registration of plugin.envs ?? []) registry.register(registration, plugin.name);
    const env = await registry.make<Float64Array, Float32Array>('Hopper-v5');
    try {
      const state = [0, 1.25, 0, 0, 0, 0, 1e11, 0, 0, 0, 0, 0];
      env.reset({ options: { state } });
      const { truncated, info } = env.step(new Float32Array(3));
      expect(truncated).toBe(true);
      expect(info).toMatchObject({ unstable: true, mujoco_warnings: ['BADQVEL'] });
      expect(() => env.step(new Float32Array(3))).toThrow(ResetNeededError);
    } finally {
      env.close();
    }
  });
});
