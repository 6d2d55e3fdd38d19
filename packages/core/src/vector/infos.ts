import type { Info } from '../env.js';
import type { VectorInfo } from './types.js';

/**
 * Gymnasium's batched infos: `addInfo(infos, info, i, N)` puts env i's info into `infos`, one
 * column per key with a `_key` mask (Uint8Array of N, 1 where env i set the key).
 * - numbers → Float64Array(N) (0 where unset);
 * - booleans → boolean[] (false where unset);
 * - plain objects → batched recursively (so `final_info` is itself a batched info);
 * - `final_obs` and anything else (strings, arrays, typed arrays, class instances) →
 *   an array of N values, `null` where unset.
 * A key whose values mix kinds across envs falls back to the plain array.
 */
export function addInfo(infos: VectorInfo, info: Info, index: number, numEnvs: number): VectorInfo {
  for (const key in info) {
    const value = info[key];
    const existing = infos[key];
    if (isPlainObject(value) && key !== 'final_obs') {
      if (existing !== undefined && !isPlainObject(existing)) {
        throw new TypeError(`Info key '${key}' holds an object for env ${index} but plain values for other envs; batched infos need one kind per key`);
      }
      infos[key] = addInfo((existing as VectorInfo | undefined) ?? {}, value, index, numEnvs);
    } else {
      if (isPlainObject(existing)) {
        throw new TypeError(`Info key '${key}' holds a plain value for env ${index} but objects for other envs; batched infos need one kind per key`);
      }
      const column = columnFor(existing as Column | undefined, key === 'final_obs' ? undefined : value, numEnvs);
      column[index] = value as never;
      infos[key] = column;
    }
    const maskKey = `_${key}`;
    let mask = infos[maskKey] as Uint8Array | undefined;
    if (mask === undefined) {
      mask = new Uint8Array(numEnvs);
      infos[maskKey] = mask;
    }
    mask[index] = 1;
  }
  return infos;
}

/** Whether an info has any key (checked without allocating). */
export function hasEntries(info: Info | undefined): boolean {
  if (info === undefined || info === null) return false;
  for (const _ in info) return true;
  return false;
}

type Column = Float64Array | unknown[];

function columnFor(existing: Column | undefined, value: unknown, numEnvs: number): Column {
  if (existing === undefined) {
    if (typeof value === 'number') return new Float64Array(numEnvs);
    if (typeof value === 'boolean') return new Array<boolean>(numEnvs).fill(false);
    return new Array<unknown>(numEnvs).fill(null);
  }
  // A column stays typed only while every value fits it.
  if (existing instanceof Float64Array) return typeof value === 'number' ? existing : Array.from(existing);
  return existing;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
