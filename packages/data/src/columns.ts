import {
  Box,
  Dict,
  Discrete,
  MultiBinary,
  MultiDiscrete,
  Text,
  Tuple,
  typedArrayConstructor,
  type NumericArray,
  type Space,
} from '@rlft/core';

/**
 * Per-episode storage of one space's values across time, column-wise as Minari keeps them:
 * numeric spaces as one flat row-major typed array (`rows × elementSize`), Text as a string
 * array, Dict as a column per key and Tuple as a column per element.
 */
export type Column = NumericArray | string[] | ColumnRecord | Column[];
export interface ColumnRecord {
  [key: string]: Column;
}

/** Number of scalars in one step's value of a numeric space. */
export function elementSize(space: Space): number {
  if (space instanceof Box || space instanceof MultiBinary) return space.size;
  if (space instanceof MultiDiscrete) return space.nvec.length;
  if (space instanceof Discrete) return 1;
  throw new TypeError(`${space.toString()} has no flat numeric form`);
}

/** The typed array a numeric space's column uses (Discrete and MultiDiscrete as int32, MultiBinary as uint8). */
export function columnConstructor(space: Space): new (length: number) => NumericArray {
  if (space instanceof Box) return typedArrayConstructor(space.dtype);
  if (space instanceof Discrete || space instanceof MultiDiscrete) return Int32Array;
  if (space instanceof MultiBinary) return Uint8Array;
  throw new TypeError(`${space.toString()} has no flat numeric form`);
}

export function isNumericSpace(space: Space): boolean {
  return space instanceof Box || space instanceof Discrete || space instanceof MultiDiscrete || space instanceof MultiBinary;
}

/** Number of rows (time steps) a column holds for `space`. */
export function columnRows(space: Space, column: Column): number {
  if (isNumericSpace(space)) return (column as NumericArray).length / elementSize(space);
  if (space instanceof Text) return (column as string[]).length;
  if (space instanceof Dict) return columnRows(space.spaces[space.keys[0]], (column as ColumnRecord)[space.keys[0]]);
  if (space instanceof Tuple) return space.spaces.length === 0 ? 0 : columnRows(space.spaces[0], (column as Column[])[0]);
  throw new TypeError(`Unsupported space ${space.toString()}`);
}

/**
 * Build a column from per-step values (an array of space elements). A numeric column given
 * as a typed array, or a Dict column given as an object of columns, is returned as it is.
 */
export function toColumn(space: Space, values: unknown, what: string): Column {
  if (isNumericSpace(space)) {
    if (ArrayBuffer.isView(values)) return values as NumericArray;
    const rows = asArray(values, what);
    const size = elementSize(space);
    const out = new (columnConstructor(space))(rows.length * size);
    for (let i = 0; i < rows.length; i++) {
      const value = rows[i];
      if (typeof value === 'number') {
        if (size !== 1) throw new TypeError(`${what}[${i}] is a number but ${space.toString()} needs ${size} values`);
        out[i] = value;
      } else if (ArrayBuffer.isView(value) || Array.isArray(value)) {
        const v = value as ArrayLike<number>;
        if (v.length !== size) throw new TypeError(`${what}[${i}] has ${v.length} values; ${space.toString()} needs ${size}`);
        for (let j = 0; j < size; j++) out[i * size + j] = v[j];
      } else {
        throw new TypeError(`${what}[${i}] is not a value of ${space.toString()}`);
      }
    }
    return out;
  }
  if (space instanceof Text) {
    const rows = asArray(values, what);
    rows.forEach((v, i) => {
      if (typeof v !== 'string') throw new TypeError(`${what}[${i}] is not a string (${space.toString()})`);
    });
    return rows as string[];
  }
  if (space instanceof Dict) {
    if (values !== null && typeof values === 'object' && !Array.isArray(values)) {
      const record = values as Record<string, unknown>;
      return Object.fromEntries(space.keys.map((k) => [k, toColumn(space.spaces[k], record[k], `${what}.${k}`)]));
    }
    const rows = asArray(values, what) as Record<string, unknown>[];
    return Object.fromEntries(
      space.keys.map((k) => [k, toColumn(space.spaces[k], rows.map((row) => row?.[k]), `${what}.${k}`)]),
    );
  }
  if (space instanceof Tuple) {
    const rows = asArray(values, what) as unknown[][];
    return space.spaces.map((sub: Space, i: number) => toColumn(sub, rows.map((row) => row?.[i]), `${what}[…][${i}]`));
  }
  throw new TypeError(`Unsupported space ${space.toString()}`);
}

/** One step's value (a space element) from a column. */
export function rowAt(space: Space, column: Column, row: number): unknown {
  if (space instanceof Discrete) return (column as NumericArray)[row];
  if (isNumericSpace(space)) {
    const size = elementSize(space);
    return (column as NumericArray).slice(row * size, (row + 1) * size);
  }
  if (space instanceof Text) return (column as string[])[row];
  if (space instanceof Dict) {
    return Object.fromEntries(space.keys.map((k) => [k, rowAt(space.spaces[k], (column as ColumnRecord)[k], row)]));
  }
  if (space instanceof Tuple) return space.spaces.map((sub: Space, i: number) => rowAt(sub, (column as Column[])[i], row));
  throw new TypeError(`Unsupported space ${space.toString()}`);
}

function asArray(values: unknown, what: string): unknown[] {
  if (!Array.isArray(values)) throw new TypeError(`${what} must be an array of per-step values or a typed array`);
  return values;
}
