import { UnsupportedError } from '../errors.js';
import { Box } from './box.js';
import { Dict } from './dict.js';
import { Discrete } from './discrete.js';
import { MultiBinary } from './multi-binary.js';
import { MultiDiscrete } from './multi-discrete.js';
import type { Space } from './space.js';
import { describeValue } from './space.js';
import { Text } from './text.js';
import { Tuple } from './tuple.js';
import { isNumericArrayLike } from './dtype.js';

/**
 * Gymnasium's `flatten` utilities: every space except Text maps onto one flat vector.
 * Box elements are copied row-major, Discrete becomes a one-hot vector, MultiDiscrete a
 * concatenation of one-hots, MultiBinary its 0/1 values, and Dict/Tuple the concatenation of
 * their parts (Dict in its key order).
 *
 * Flat vectors are always floating point (they feed networks): float64 when some part needs
 * it to stay exact (a float64, int32 or uint32 Box), otherwise float32.
 */
export type FlatArray = Float32Array | Float64Array;
export type FlatDType = 'float32' | 'float64';

const FLATTENABLE = 'Box, Discrete, MultiDiscrete, MultiBinary, Dict, Tuple';

/** Length of the flat vector of `space`'s elements. */
export function flatDim(space: Space): number {
  if (space instanceof Box || space instanceof MultiBinary) return space.size;
  if (space instanceof Discrete) return space.n;
  if (space instanceof MultiDiscrete) return space.nvec.reduce((sum, n) => sum + n, 0);
  if (space instanceof Dict) return space.keys.reduce((sum, key) => sum + flatDim(space.spaces[key]), 0);
  if (space instanceof Tuple) return space.spaces.reduce((sum: number, part: Space) => sum + flatDim(part), 0);
  throw notFlattenable(space);
}

/** Element type of the flat vector: float64 when a part would lose precision in float32. */
export function flatDType(space: Space): FlatDType {
  if (space instanceof Box) {
    return space.dtype === 'float64' || space.dtype === 'int32' || space.dtype === 'uint32' ? 'float64' : 'float32';
  }
  if (space instanceof Discrete || space instanceof MultiDiscrete || space instanceof MultiBinary) return 'float32';
  const parts = space instanceof Dict ? space.keys.map((key) => space.spaces[key]) : space instanceof Tuple ? space.spaces : undefined;
  if (!parts) throw notFlattenable(space);
  return parts.some((part: Space) => flatDType(part) === 'float64') ? 'float64' : 'float32';
}

/** The Box that holds the flat vectors of `space`'s elements (one-hot parts are bounded by [0, 1]). */
export function flattenSpace(space: Space): Box<FlatDType> {
  const size = flatDim(space);
  const low = new Float64Array(size);
  const high = new Float64Array(size);
  writeBounds(space, low, high, 0);
  return new Box({ low, high, shape: [size], dtype: flatDType(space) });
}

/**
 * The flat vector of `value`, an element of `space`. Writes into `out` (from `offset`) when
 * given, so that a caller that owns a buffer flattens without allocating.
 */
export function flatten(space: Space, value: unknown, out?: FlatArray, offset = 0): FlatArray {
  const size = flatDim(space);
  const target = out ?? (flatDType(space) === 'float64' ? new Float64Array(size) : new Float32Array(size));
  if (offset + size > target.length) {
    throw new RangeError(`flatten needs ${size} slots from offset ${offset}, the output holds ${target.length}`);
  }
  writeFlat(space, value, target, offset);
  return target;
}

/** The element of `space` whose flat vector is `flat` (the inverse of `flatten`). */
export function unflatten<T>(space: Space<T>, flat: ArrayLike<number>): T {
  const size = flatDim(space);
  if (flat.length !== size) {
    throw new RangeError(`unflatten expected ${size} values for ${space.toString()}, got ${flat.length}`);
  }
  return readFlat(space, flat, 0) as T;
}

function notFlattenable(space: Space): UnsupportedError {
  if (space instanceof Text) {
    return new UnsupportedError(
      `${space.toString()} cannot be flattened: text has no fixed-size numeric form. Flattenable spaces: ${FLATTENABLE}`,
    );
  }
  return new UnsupportedError(`${space.toString()} cannot be flattened. Flattenable spaces: ${FLATTENABLE}`);
}

function writeBounds(space: Space, low: Float64Array, high: Float64Array, offset: number): number {
  if (space instanceof Box) {
    low.set(space.low, offset);
    high.set(space.high, offset);
    return offset + space.size;
  }
  if (space instanceof Dict || space instanceof Tuple) {
    const parts = space instanceof Dict ? space.keys.map((key) => space.spaces[key]) : space.spaces;
    for (const part of parts) offset = writeBounds(part, low, high, offset);
    return offset;
  }
  // One-hot and binary parts: every entry is 0 or 1.
  const size = flatDim(space);
  high.fill(1, offset, offset + size);
  return offset + size;
}

function writeFlat(space: Space, value: unknown, out: FlatArray, offset: number): number {
  if (space instanceof Box || space instanceof MultiBinary) {
    const values = numericArray(space, value);
    for (let i = 0; i < space.size; i++) out[offset + i] = values[i];
    return offset + space.size;
  }
  if (space instanceof Discrete) {
    if (!space.contains(value)) throw new RangeError(`Cannot flatten: ${space.explainNotContained(value)}`);
    out.fill(0, offset, offset + space.n);
    out[offset + value - space.start] = 1;
    return offset + space.n;
  }
  if (space instanceof MultiDiscrete) {
    const values = numericArray(space, value);
    for (let i = 0; i < space.size; i++) {
      const index = values[i] - space.start[i];
      const n = space.nvec[i];
      if (!Number.isInteger(index) || index < 0 || index >= n) {
        throw new RangeError(`Cannot flatten: ${space.explainNotContained(value)}`);
      }
      out.fill(0, offset, offset + n);
      out[offset + index] = 1;
      offset += n;
    }
    return offset;
  }
  if (space instanceof Dict) {
    if (typeof value !== 'object' || value === null) throw new TypeError(`Cannot flatten ${describeValue(value)}: ${space.toString()} needs an object`);
    const record = value as Record<string, unknown>;
    for (const key of space.keys) {
      if (!(key in record)) throw new TypeError(`Cannot flatten: missing key '${key}' for ${space.toString()}`);
      offset = writeFlat(space.spaces[key], record[key], out, offset);
    }
    return offset;
  }
  if (space instanceof Tuple) {
    if (!Array.isArray(value) || value.length !== space.spaces.length) {
      throw new TypeError(`Cannot flatten ${describeValue(value)}: ${space.toString()} needs an array of ${space.spaces.length} elements`);
    }
    for (let i = 0; i < space.spaces.length; i++) offset = writeFlat(space.spaces[i], value[i], out, offset);
    return offset;
  }
  throw notFlattenable(space);
}

function numericArray(space: Box | MultiBinary | MultiDiscrete, value: unknown): ArrayLike<number> {
  if (!isNumericArrayLike(value) || value.length !== space.size) {
    throw new TypeError(`Cannot flatten ${describeValue(value)}: ${space.toString()} needs an array of ${space.size} numbers`);
  }
  return value;
}

function readFlat(space: Space, flat: ArrayLike<number>, offset: number): unknown {
  if (space instanceof Box) {
    const out = space.zeros();
    for (let i = 0; i < space.size; i++) out[i] = flat[offset + i];
    return out;
  }
  if (space instanceof MultiBinary) {
    const out = new Uint8Array(space.size);
    for (let i = 0; i < space.size; i++) {
      const v = flat[offset + i];
      if (v !== 0 && v !== 1) throw new RangeError(`Cannot unflatten ${space.toString()}: entry ${i} is ${v}, not 0 or 1`);
      out[i] = v;
    }
    return out;
  }
  if (space instanceof Discrete) return space.start + oneHotIndex(flat, offset, space.n, space.toString());
  if (space instanceof MultiDiscrete) {
    const out = new Int32Array(space.size);
    for (let i = 0; i < space.size; i++) {
      out[i] = space.start[i] + oneHotIndex(flat, offset, space.nvec[i], `${space.toString()} (element ${i})`);
      offset += space.nvec[i];
    }
    return out;
  }
  if (space instanceof Dict) {
    const out: Record<string, unknown> = {};
    for (const key of space.keys) {
      out[key] = readFlat(space.spaces[key], flat, offset);
      offset += flatDim(space.spaces[key]);
    }
    return out;
  }
  if (space instanceof Tuple) {
    return space.spaces.map((part: Space) => {
      const element = readFlat(part, flat, offset);
      offset += flatDim(part);
      return element;
    });
  }
  throw notFlattenable(space);
}

/** Position of the single 1 in a one-hot segment; anything else is not a valid flat Discrete. */
function oneHotIndex(flat: ArrayLike<number>, offset: number, n: number, where: string): number {
  let index = -1;
  for (let i = 0; i < n; i++) {
    const v = flat[offset + i];
    if (v === 0) continue;
    if (v !== 1 || index !== -1) {
      throw new RangeError(`Cannot unflatten ${where}: expected a one-hot segment of ${n} entries, got [${Array.from({ length: n }, (_, j) => flat[offset + j]).join(', ')}]`);
    }
    index = i;
  }
  if (index === -1) throw new RangeError(`Cannot unflatten ${where}: the one-hot segment of ${n} entries is all zeros`);
  return index;
}
