// The shared WebAssembly module and the MujocoSimulation around one model: one module per
// thread, views that survive memory growth, divergence warnings, idempotent close, and many
// environments in one module.
import { describe, expect, it } from 'vitest';
import { HalfCheetahEnv } from './envs/half-cheetah.js';
import { compileMjcf, readMjcf } from './mjcf.js';
import { loadMujoco, wasmMemoryBytes } from './module.js';
import { MujocoRuntimeError, MujocoSimulation } from './simulation.js';

async function cheetahSimulation(): Promise<MujocoSimulation> {
  const mj = await loadMujoco();
  const { path, xml } = readMjcf('test', 'half_cheetah.xml');
  return new MujocoSimulation(mj, compileMjcf(mj, 'test', xml, path), path);
}

describe('loadMujoco', () => {
  it('loads one module per thread and hands the same one to every caller', async () => {
    const [first, second] = await Promise.all([loadMujoco(), loadMujoco()]);
    expect(first).toBe(second);
    expect(await loadMujoco()).toBe(first);
    expect(first.mj_versionString()).toMatch(/^3\./);
  });
});

describe('MujocoSimulation', () => {
  it('keeps reading and writing the state after WebAssembly memory growth detaches old views', async () => {
    const sim = await cheetahSimulation();
    const mj = sim.mj;
    const rawQpos = sim.data.qpos as Float64Array;
    const before = sim.memoryBytes();
    // Allocate MjData (a 256 KiB arena each) until the module has to grow its memory.
    const extra = [];
    while (wasmMemoryBytes(sim.model) === before && extra.length < 1000) extra.push(new mj.MjData(sim.model));
    try {
      expect(sim.memoryBytes()).toBeGreaterThan(before);
      // The view taken before the growth is dead: empty, and writes to it would be lost.
      expect(rawQpos.length).toBe(0);
      expect(sim.qpos.length).toBe(9);
      sim.qpos[2] = 0.25;
      expect((sim.data.qpos as Float64Array)[2]).toBe(0.25);
      sim.forward();
      sim.step(3);
      expect(sim.qpos[2]).not.toBe(0);
    } finally {
      for (const data of extra) data.delete();
      sim.close();
    }
  });

  it('reports the divergence warnings MuJoCo raised, which also reset the data by themselves', async () => {
    const sim = await cheetahSimulation();
    try {
      sim.resetData();
      sim.forward();
      sim.step(5);
      expect(sim.divergence()).toEqual([]);
      sim.qvel[3] = 1e11; // above MuJoCo's mjMAXVAL (1e10): a bad qvel
      sim.step(1);
      expect(sim.divergence()).toEqual(['BADQVEL']);
      expect(Array.from(sim.qvel).every((v) => v === 0 || Math.abs(v) < 1)).toBe(true); // MuJoCo reset the state
      sim.resetData();
      expect(sim.divergence()).toEqual([]);
    } finally {
      sim.close();
    }
  });

  it('closes once; later calls are errors that say it was closed', async () => {
    const sim = await cheetahSimulation();
    sim.close();
    sim.close();
    expect(sim.isClosed).toBe(true);
    expect(() => sim.qpos).toThrow(MujocoRuntimeError);
    expect(() => sim.step(1)).toThrow(/closed/);
  });
});

describe('many environments in one module', () => {
  it('runs 64 HalfCheetahs side by side in one module, each with its own state, in a few MiB each', async () => {
    const mj = await loadMujoco();
    const envs: HalfCheetahEnv[] = [new HalfCheetahEnv(mj)];
    const before = envs[0].wasmMemoryBytes();
    try {
      for (let i = 1; i < 64; i++) envs.push(new HalfCheetahEnv(mj));
      const action = new Float32Array([0.5, -0.5, 0.5, -0.5, 0.5, -0.5]);
      const observations = envs.map((env, i) => env.reset({ seed: i }).obs);
      for (let t = 0; t < 10; t++) envs.forEach((env, i) => (observations[i] = env.step(action).obs));
      expect(observations.every((obs) => obs.every(Number.isFinite))).toBe(true);
      // Different seeds, different trajectories: no env writes into another's data.
      expect(new Set(observations.map((obs) => obs[0])).size).toBe(64);
      const grownMiB = (envs[0].wasmMemoryBytes() - before) / 2 ** 20;
      expect(grownMiB).toBeLessThan(64);
    } finally {
      for (const env of envs) env.close();
    }
  });
});
