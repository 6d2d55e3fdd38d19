import { Box, Dict, Discrete, MultiBinary, MultiDiscrete, Tuple, isFloatDType, type Space } from '@rlft/core';

/**
 * A numeric space as the flat list of numbers the text formats write: Box elements in
 * row-major order, a Discrete value as one integer (not one-hot), MultiDiscrete and
 * MultiBinary elements as integers, Tuple and Dict entries one after another (Dict in key
 * order). Each dimension knows whether it is real or integer and its bounds.
 */
export interface LayoutDimension {
  readonly kind: 'real' | 'integer';
  readonly low: number;
  readonly high: number;
}

export class NumericLayout {
  private constructor(
    readonly space: Space,
    readonly dims: readonly LayoutDimension[],
  ) {}

  /** The layout of `space`, or undefined when part of it is not numeric (Text, Graph, …). */
  static of(space: Space): NumericLayout | undefined {
    const dims: LayoutDimension[] = [];
    return collect(space, dims) ? new NumericLayout(space, dims) : undefined;
  }

  get size(): number {
    return this.dims.length;
  }

  get allInteger(): boolean {
    return this.dims.every((d) => d.kind === 'integer');
  }

  get allReal(): boolean {
    return this.dims.every((d) => d.kind === 'real');
  }

  /** The flat numbers of an element of the space. */
  flatten(value: unknown): number[] {
    const out: number[] = [];
    flattenInto(this.space, value, out);
    if (out.length !== this.size) throw new RangeError(`expected ${this.size} numbers for ${this.space.toString()}, got ${out.length}`);
    return out;
  }

  /** The element of the space holding these flat numbers (typed arrays for Box, MultiDiscrete, MultiBinary). */
  unflatten(values: readonly number[]): unknown {
    if (values.length !== this.size) throw new RangeError(`expected ${this.size} numbers for ${this.space.toString()}, got ${values.length}`);
    const cursor = { at: 0 };
    return build(this.space, values, cursor);
  }
}

function collect(space: Space, dims: LayoutDimension[]): boolean {
  if (space instanceof Box) {
    const kind = isFloatDType(space.dtype) ? 'real' : 'integer';
    for (let i = 0; i < space.size; i++) dims.push({ kind, low: space.low[i]!, high: space.high[i]! });
    return true;
  }
  if (space instanceof Discrete) {
    dims.push({ kind: 'integer', low: space.start, high: space.start + space.n - 1 });
    return true;
  }
  if (space instanceof MultiDiscrete) {
    for (let i = 0; i < space.size; i++) dims.push({ kind: 'integer', low: space.start[i]!, high: space.start[i]! + space.nvec[i]! - 1 });
    return true;
  }
  if (space instanceof MultiBinary) {
    for (let i = 0; i < space.size; i++) dims.push({ kind: 'integer', low: 0, high: 1 });
    return true;
  }
  if (space instanceof Tuple) return space.spaces.every((sub: Space) => collect(sub, dims));
  if (space instanceof Dict) return space.keys.every((key) => collect(space.spaces[key]!, dims));
  return false;
}

function flattenInto(space: Space, value: unknown, out: number[]): void {
  if (space instanceof Discrete) {
    out.push(Number(value));
  } else if (space instanceof Tuple) {
    const items = value as readonly unknown[];
    space.spaces.forEach((sub: Space, i: number) => flattenInto(sub, items[i], out));
  } else if (space instanceof Dict) {
    const record = value as Record<string, unknown>;
    for (const key of space.keys) flattenInto(space.spaces[key]!, record[key], out);
  } else if (typeof value === 'number') {
    out.push(value);
  } else {
    for (const v of Array.from(value as ArrayLike<number>)) out.push(Number(v));
  }
}

function build(space: Space, values: readonly number[], cursor: { at: number }): unknown {
  if (space instanceof Discrete) return values[cursor.at++]!;
  if (space instanceof Tuple) return space.spaces.map((sub: Space) => build(sub, values, cursor));
  if (space instanceof Dict) {
    const out: Record<string, unknown> = {};
    for (const key of space.keys) out[key] = build(space.spaces[key]!, values, cursor);
    return out;
  }
  const size = space instanceof Box ? space.size : (space as MultiDiscrete | MultiBinary).size;
  const slice = values.slice(cursor.at, cursor.at + size);
  cursor.at += size;
  if (space instanceof Box) return space.fromArray(slice);
  if (space instanceof MultiDiscrete) return Int32Array.from(slice);
  return Uint8Array.from(slice);
}
