import { defaultDevice, init, numpy as np, type Device } from '@jax-js/jax';
import { RlftError } from '@rlft/core';

export { np };
export type { Device };

/** Which tensor backend training runs on: WebAssembly (any CPU) or WebGPU (where a GPU and driver exist). */
export type EngineDevice = 'wasm' | 'webgpu';
export const ENGINE_DEVICES: readonly EngineDevice[] = ['wasm', 'webgpu'];

let started: Promise<EngineDevice> | undefined;
let startedDevice: EngineDevice | undefined;

/**
 * Start the engine once per process (later calls return the same device). WebAssembly is the
 * default; asking for WebGPU where it is unavailable is an error that says why and what to use.
 */
export function initEngine(device: EngineDevice = 'wasm'): Promise<EngineDevice> {
  if (!ENGINE_DEVICES.includes(device)) {
    return Promise.reject(new RlftError('ENGINE', `Unknown engine device '${String(device)}'; allowed: ${ENGINE_DEVICES.join(', ')}`));
  }
  if (started) {
    return started.then((current) => {
      if (current !== device) {
        throw new RlftError('ENGINE', `The engine already runs on '${current}' in this process; it cannot switch to '${device}'`);
      }
      return current;
    });
  }
  started = startEngine(device);
  return started;
}

async function startEngine(device: EngineDevice): Promise<EngineDevice> {
  if (device === 'webgpu') {
    if (typeof (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu === 'undefined') {
      started = undefined;
      throw new RlftError(
        'ENGINE',
        "WebGPU is not available in this process (no navigator.gpu: Node has none unless a WebGPU binding such as the 'webgpu' package is installed and a GPU driver exists). Use --device wasm, which runs on any CPU.",
      );
    }
  }
  const available = await init(device);
  if (!available.includes(device)) {
    started = undefined;
    throw new RlftError('ENGINE', `The '${device}' engine failed to start here (available: ${available.join(', ') || 'none'}). Use --device wasm.`);
  }
  defaultDevice(device);
  startedDevice = device;
  return device;
}

/** The device the engine runs on, or undefined before `initEngine`. */
export function engineDevice(): EngineDevice | undefined {
  return startedDevice;
}
