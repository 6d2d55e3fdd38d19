import type { MainModule, MjModel } from '@mujoco/mujoco';

/** The loaded `@mujoco/mujoco` WebAssembly module: MjModel, MjData, mj_step and friends. */
export type Mujoco = MainModule;

let loading: Promise<Mujoco> | undefined;

/**
 * The one MuJoCo module of this process or worker thread, loaded on first use and shared by
 * every environment in it. Each module owns one WebAssembly memory, so sharing it keeps many
 * environments in one heap instead of paying the module's start-up (0.1–0.9 s) and base
 * memory per environment. A worker thread has its own module graph and so its own module.
 * A failed load is not cached: the next call tries again.
 */
export function loadMujoco(): Promise<Mujoco> {
  loading ??= import('@mujoco/mujoco')
    .then((mujoco) => mujoco.default())
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}

/**
 * Bytes of WebAssembly memory the module holds now, read through a fresh view from a live
 * model of that module (the module exports no heap object of its own). The memory only ever
 * grows, so comparing it before and after work tells whether freed models and data were
 * reused or leaked.
 */
export function wasmMemoryBytes(model: MjModel): number {
  return (model.body_mass as Float64Array).buffer.byteLength;
}
