// Creating and closing environments gives their WebAssembly memory back: 1,000 cycles of
// create → reset → step → close leave the module's memory where it was.
import { describe, expect, it } from 'vitest';
import { AntEnv, BUNDLED_MODELS_DIR, HalfCheetahEnv, MujocoSimulation, compileMjcf, loadMujoco } from './index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('memory', () => {
  it('stays flat over 1,000 create/step/close cycles', async () => {
    const mj = await loadMujoco();
    // An env that stays open, to read the module's memory size through.
    const probe = new HalfCheetahEnv(mj);
    const action = new Float32Array(6).fill(0.5);
    const cycle = (i: number): void => {
      const env = new HalfCheetahEnv(mj);
      env.reset({ seed: i });
      for (let t = 0; t < 3; t++) env.step(action);
      env.close();
    };
    try {
      // Warm up first: the allocator settles and V8 compiles the hot paths.
      for (let i = 0; i < 50; i++) cycle(i);
      global.gc?.();
      const wasmBefore = probe.wasmMemoryBytes();
      const rssBefore = process.memoryUsage().rss;
      for (let i = 0; i < 1000; i++) cycle(i);
      global.gc?.();
      expect(probe.wasmMemoryBytes()).toBe(wasmBefore);
      // JS wrappers are collected lazily, so RSS may wander a little, but not by one arena per cycle (≥ 256 MiB).
      expect((process.memoryUsage().rss - rssBefore) / 2 ** 20).toBeLessThan(128);
    } finally {
      probe.close();
    }
  });

  it('frees the 64 envs it made in one go, so the next 64 fit in the same memory', async () => {
    const mj = await loadMujoco();
    const probe = new AntEnv(mj);
    try {
      const batch = (): void => {
        const envs = Array.from({ length: 64 }, () => new AntEnv(mj));
        for (const env of envs) env.reset({ seed: 0 });
        for (const env of envs) env.close();
      };
      batch();
      const after = probe.wasmMemoryBytes();
      batch();
      batch();
      expect(probe.wasmMemoryBytes()).toBe(after);
    } finally {
      probe.close();
    }
  });

  it('keeps a bounded number of compiled models: compiling 80 more distinct model texts leaves memory flat', async () => {
    const mj = await loadMujoco();
    const probe = new HalfCheetahEnv(mj);
    // Each variant carries an unused 512 × 512 height field (1 MiB), so keeping every compiled text would show at once.
    const xml = readFileSync(join(BUNDLED_MODELS_DIR, 'hopper.xml'), 'utf8');
    const compileVariant = (i: number): void => {
      const text = xml.replace('</mujoco>', `<asset><hfield name="variant_${i}" nrow="512" ncol="512" size="1 1 1 1"/></asset></mujoco>`);
      const sim = new MujocoSimulation(mj, compileMjcf(mj, 'test', text, `hopper variant ${i}`), 'hopper variant');
      sim.step(2);
      sim.close();
    };
    try {
      for (let i = 0; i < 20; i++) compileVariant(i);
      const before = probe.wasmMemoryBytes();
      for (let i = 20; i < 100; i++) compileVariant(i);
      expect(probe.wasmMemoryBytes()).toBe(before);
    } finally {
      probe.close();
    }
  });
});
