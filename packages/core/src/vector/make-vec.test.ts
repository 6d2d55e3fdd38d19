import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  EnvRegistry,
  InvalidKwargsError,
  OrderEnforcing,
  PluginHost,
  SyncVectorEnv,
  TimeLimit,
  UnknownEnvError,
  UnsupportedError,
  type Wrapper,
} from '@rlft/core';
import testEnvs, { vectorEntryPointCalls } from './fixtures/test-envs.js';

const fixture = fileURLToPath(new URL('./fixtures/test-envs.js', import.meta.url));

function registry(): EnvRegistry {
  const r = new EnvRegistry();
  for (const env of testEnvs.envs ?? []) r.register(env, testEnvs.name);
  return r;
}

describe('makeVec', () => {
  it("defaults to 'sync' over make()'s envs, with the standard wrappers and the spec's time limit", async () => {
    const venv = (await registry().makeVec('test/NoisyWalk-v0', 2, { kwargs: { limit: 1000 } })) as SyncVectorEnv<Float32Array, Int32Array>;
    expect(venv).toBeInstanceOf(SyncVectorEnv);
    expect(venv.spec?.id).toBe('test/NoisyWalk-v0');
    expect(venv.spec?.kwargs).toEqual({ limit: 1000 });
    const outer = venv.envs[0] as Wrapper;
    expect(outer).toBeInstanceOf(OrderEnforcing);
    expect(outer.env).toBeInstanceOf(TimeLimit);
    venv.reset({ seed: 0 });
    const truncated: number[] = [];
    for (let t = 1; t <= 12; t++) if (venv.step(Int32Array.of(0, 0)).truncations[0]) truncated.push(t);
    expect(truncated).toEqual([12]);
    venv.close();
  });

  it('passes maxEpisodeSteps and autoresetMode on to the sub-envs', async () => {
    const venv = await registry().makeVec('test/NoisyWalk-v0', 1, { kwargs: { limit: 1000 }, maxEpisodeSteps: 3, autoresetMode: 'same-step' });
    expect(venv.autoresetMode).toBe('same-step');
    venv.reset({ seed: 0 });
    venv.step(Int32Array.of(0));
    venv.step(Int32Array.of(0));
    const third = venv.step(Int32Array.of(0));
    expect(Array.from(third.truncations)).toEqual([1]);
    expect(third.infos._final_obs).toEqual(Uint8Array.of(1));
  });

  it("uses the env's vectorEntryPoint by default, with validated kwargs and the spec's time limit", async () => {
    const r = registry();
    vectorEntryPointCalls.length = 0;
    const venv = await r.makeVec('test/Batched-v0', 3, { autoresetMode: 'disabled' });
    expect(venv.numEnvs).toBe(3);
    expect(vectorEntryPointCalls).toEqual([{ numEnvs: 3, kwargs: { limit: 2 }, options: { autoresetMode: 'disabled', maxEpisodeSteps: 7 } }]);
    await r.makeVec('test/Batched-v0', 2, { vectorizationMode: 'vector_entry_point', kwargs: { limit: 4 }, maxEpisodeSteps: null });
    expect(vectorEntryPointCalls[1]).toEqual({ numEnvs: 2, kwargs: { limit: 4 }, options: { autoresetMode: 'next-step' } });
    const sync = await r.makeVec('test/Batched-v0', 2, { vectorizationMode: 'sync' });
    expect(sync).toBeInstanceOf(SyncVectorEnv);
    expect(vectorEntryPointCalls).toHaveLength(2);
  });

  it("refuses 'vector_entry_point' for an env without one, naming the alternatives", async () => {
    const attempt = registry().makeVec('test/NoisyWalk-v0', 2, { vectorizationMode: 'vector_entry_point' });
    await expect(attempt).rejects.toThrow(UnsupportedError);
    await expect(registry().makeVec('test/NoisyWalk-v0', 2, { vectorizationMode: 'vector_entry_point' }))
      .rejects.toThrow("test/NoisyWalk-v0 has no vectorEntryPoint (a batched implementation of its own); use vectorizationMode 'sync' or 'async'");
  });

  it("gives unknown ids and bad kwargs the registry's usual errors", async () => {
    const r = registry();
    let expected: unknown;
    try {
      r.spec('test/NoisyWalk-v1');
    } catch (error) {
      expected = error;
    }
    await expect(r.makeVec('test/NoisyWalk-v1', 2)).rejects.toThrow(UnknownEnvError);
    await expect(r.makeVec('test/NoisyWalk-v1', 2)).rejects.toThrow((expected as Error).message);
    await expect(r.makeVec('test/NoisyWalk-v0', 2, { kwargs: { limt: 1 } })).rejects.toThrow(InvalidKwargsError);
    await expect(r.makeVec('test/Batched-v0', 2, { kwargs: { limt: 1 } })).rejects.toThrow(InvalidKwargsError);
  });

  it('rejects options that do not apply to the chosen mode, and bad modes or sizes', async () => {
    const r = registry();
    await expect(r.makeVec('test/NoisyWalk-v0', 2, { workers: 2 })).rejects.toThrow("'workers' applies to vectorizationMode 'async' only, not 'sync'");
    await expect(r.makeVec('test/NoisyWalk-v0', 2, { vectorizationMode: 'threads' as never })).rejects.toThrow(/allowed: sync, async, vector_entry_point/);
    await expect(r.makeVec('test/NoisyWalk-v0', 0)).rejects.toThrow(/numEnvs must be a positive integer/);
    await expect(r.makeVec('test/Batched-v0', 2, { renderMode: 'ansi' })).rejects.toThrow(/'renderMode' is not supported with vectorizationMode 'vector_entry_point'/);
  });

  it("needs the plugin modules for 'async' on a bare registry; PluginHost supplies them from where it loaded the plugin", async () => {
    await expect(registry().makeVec('test/Echo-v0', 2, { vectorizationMode: 'async' })).rejects.toThrow(/needs pluginModules.*plugin 'vector-test-envs'/);
    const host = new PluginHost();
    await host.load(fixture);
    const venv = await host.makeVec('test/Echo-v0', 2, { vectorizationMode: 'async', workers: 1 });
    try {
      expect(Array.from(venv.reset({ seed: 0 }).obs as Int32Array)).toHaveLength(2);
    } finally {
      venv.close();
    }
    const added = new PluginHost();
    await added.add(testEnvs);
    await expect(added.makeVec('test/Echo-v0', 2, { vectorizationMode: 'async' })).rejects.toThrow(/needs pluginModules/);
  });
});
