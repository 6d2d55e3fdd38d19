// The same seed and actions give bit-identical observations across processes and in worker
// threads (each with its own WebAssembly module).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { EnvRegistry, Rng } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import plugin from './plugin.js';
// @ts-expect-error a plain-JS fixture without types
import { trajectoryHashes } from './fixtures/trajectory-hashes.mjs';

const fixture = fileURLToPath(new URL('./fixtures/trajectory-hashes.mjs', import.meta.url));
const builtPlugin = fileURLToPath(new URL('../dist/plugin.js', import.meta.url));

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

describe('determinism', () => {
  it('gives bit-identical trajectories of all five envs in two child processes and in this one', async () => {
    const children = await Promise.all([0, 1].map(() => promisify(execFile)(process.execPath, [fixture], { encoding: 'utf8', timeout: 60_000 })));
    const runs = children.map(({ stdout, stderr }) => {
      expect(stderr).toBe('');
      return JSON.parse(stdout) as Record<string, string>;
    });
    expect(Object.keys(runs[0])).toEqual(['Ant-v5', 'HalfCheetah-v5', 'Hopper-v5', 'InvertedPendulum-v5', 'Walker2d-v5']);
    expect(runs[1]).toEqual(runs[0]);
    expect(await trajectoryHashes()).toEqual(runs[0]);
  });

  it('steps HalfCheetahs on two worker threads exactly as in this thread', async () => {
    const envs = registry();
    const numEnvs = 4;
    const sync = await envs.makeVec<Float64Array, Float32Array>('cheetah', numEnvs, { vectorizationMode: 'sync' });
    const workers = await envs.makeVec<Float64Array, Float32Array>('cheetah', numEnvs, {
      vectorizationMode: 'async',
      workers: 2,
      pluginModules: [builtPlugin],
    });
    try {
      expect(Array.from(workers.reset({ seed: 5 }).obs)).toEqual(Array.from(sync.reset({ seed: 5 }).obs));
      const rng = Rng.fromSeed(5);
      for (let t = 0; t < 100; t++) {
        const actions = Float32Array.from({ length: numEnvs * 6 }, () => rng.uniform(-1, 1));
        const a = sync.step(actions);
        const b = workers.step(actions);
        expect(Array.from(b.obs)).toEqual(Array.from(a.obs));
        expect(Array.from(b.rewards)).toEqual(Array.from(a.rewards));
        expect(Array.from(b.truncations)).toEqual(Array.from(a.truncations));
      }
      // Different seeds per sub-env: the four trajectories differ from each other.
      const final = sync.step(new Float32Array(numEnvs * 6)).obs;
      expect(new Set([0, 1, 2, 3].map((i) => final[17 * i])).size).toBe(numEnvs);
    } finally {
      sync.close();
      workers.close();
    }
  });
});
