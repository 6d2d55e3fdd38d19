import { Box, Dict, Discrete, MultiBinary, MultiDiscrete, Text, Tuple, type DType, type NumericArray, type Space } from '@rlft/core';
import { columnConstructor, elementSize, type Column, type ColumnRecord } from './columns.js';
import { DatasetError } from './errors.js';
import type { H5Dataset, H5Group } from './h5.js';

/** HDF5 (numpy-style) type codes of Box dtypes. */
const BOX_H5_DTYPE: Record<DType, string> = {
  float32: '<f',
  float64: '<d',
  int8: '<b',
  int16: '<h',
  int32: '<i',
  uint8: '<B',
  uint16: '<H',
  uint32: '<I',
};

/** Minari names the members of a Tuple space's subgroup `_index_0`, `_index_1`, … */
export function tupleKey(index: number): string {
  return `_index_${index}`;
}

/**
 * Write `rows` steps of `space` values under `name` in `group`, the way Minari lays them out:
 * a dataset of shape `[rows, ...shape]` for numeric spaces (Discrete and MultiDiscrete as int64,
 * MultiBinary as int8, Box in its dtype), variable-length UTF-8 strings for Text, and a subgroup
 * for Dict (one member per key) and Tuple (`_index_i`).
 */
export function writeColumn(group: H5Group, name: string, space: Space, column: Column, rows: number): void {
  if (space instanceof Box) {
    group.create_dataset({ name, data: column as NumericArray, shape: [rows, ...space.shape], dtype: BOX_H5_DTYPE[space.dtype as DType] });
  } else if (space instanceof Discrete) {
    group.create_dataset({ name, data: toBigInt64(column as NumericArray), shape: [rows], dtype: '<q' });
  } else if (space instanceof MultiDiscrete) {
    group.create_dataset({ name, data: toBigInt64(column as NumericArray), shape: [rows, space.nvec.length], dtype: '<q' });
  } else if (space instanceof MultiBinary) {
    group.create_dataset({ name, data: Int8Array.from(column as NumericArray), shape: [rows, ...space.shape], dtype: '<b' });
  } else if (space instanceof Text) {
    group.create_dataset({ name, data: column as string[], shape: [rows], dtype: 'S' });
  } else if (space instanceof Dict) {
    const sub = group.create_group(name);
    for (const key of space.keys) writeColumn(sub, key, space.spaces[key], (column as ColumnRecord)[key], rows);
  } else if (space instanceof Tuple) {
    const sub = group.create_group(name);
    space.spaces.forEach((s: Space, i: number) => writeColumn(sub, tupleKey(i), s, (column as Column[])[i], rows));
  } else {
    throw new TypeError(`Cannot store values of ${space.toString()}; supported: Box, Discrete, MultiDiscrete, MultiBinary, Text, Dict, Tuple`);
  }
}

/** Where a read happens, for error messages: the file and the HDF5 path of the group. */
export interface ReadContext {
  file: string;
  path: string;
}

/** Read back a column written by `writeColumn` (or by Minari), checking it has `rows` rows. */
export function readColumn(group: H5Group, name: string, space: Space, rows: number, where: ReadContext): Column {
  const path = `${where.path}/${name}`;
  const entity = group.get(name);
  if (entity === null || entity === undefined) {
    throw new DatasetError(where.file, `${where.path} has no '${name}' (expected for ${space.toString()})`);
  }
  if (space instanceof Dict || space instanceof Tuple) {
    if (!('keys' in entity) || 'shape' in entity) throw new DatasetError(where.file, `${path} should be a group for ${space.type} space`);
    const sub = entity as H5Group;
    if (space instanceof Dict) {
      return Object.fromEntries(space.keys.map((k) => [k, readColumn(sub, k, space.spaces[k], rows, { file: where.file, path })]));
    }
    return space.spaces.map((s: Space, i: number) => readColumn(sub, tupleKey(i), s, rows, { file: where.file, path }));
  }
  if (!('shape' in entity)) throw new DatasetError(where.file, `${path} should be a dataset, found a ${entity.constructor.name}`);
  const dataset = entity as H5Dataset;
  const shape = dataset.shape ?? [];
  if (shape[0] !== rows) {
    throw new DatasetError(where.file, `${path} has ${shape[0] ?? 0} rows, expected ${rows}`);
  }
  if (space instanceof Text) {
    const value = dataset.value;
    const strings = Array.isArray(value) ? value : [value];
    return strings.map((s) => (s instanceof Uint8Array ? new TextDecoder().decode(s) : String(s)));
  }
  const size = elementSize(space);
  const perRow = shape.slice(1).reduce((a, b) => a * b, 1);
  if (perRow !== size) {
    throw new DatasetError(where.file, `${path} has shape [${shape.join(', ')}], expected [${rows}, ${size}] values for ${space.toString()}`);
  }
  const raw = dataset.value;
  if (!ArrayBuffer.isView(raw)) throw new DatasetError(where.file, `${path} does not hold numbers`);
  const Target = columnConstructor(space);
  if (raw instanceof Target) return raw as NumericArray;
  const out = new Target(rows * size);
  const source = raw as unknown as ArrayLike<number | bigint>;
  for (let i = 0; i < out.length; i++) out[i] = Number(source[i]);
  return out;
}

function toBigInt64(values: NumericArray): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]);
  return out;
}
