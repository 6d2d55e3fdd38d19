import { Box } from '../spaces/box.js';
import { Dict } from '../spaces/dict.js';
import { Discrete } from '../spaces/discrete.js';
import { MultiBinary } from '../spaces/multi-binary.js';
import { MultiDiscrete } from '../spaces/multi-discrete.js';
import { Tuple } from '../spaces/tuple.js';
import { describeValue, type Space } from '../spaces/space.js';
import { dtypeRange, isFloatDType, isNumericArrayLike, typedArrayConstructor, type DType, type NumericArray } from '../spaces/dtype.js';

/**
 * Batching of space values for vector environments (Gymnasium's `batch_space`, `concatenate`,
 * `iterate` and `create_empty_array`), one implementation for the synchronous and the
 * worker-thread vector envs.
 *
 * Batched values follow the batched space, so `batchedSpace.contains(batch)` holds:
 * - Box: one flat, row-major typed array of N × size (the batched space is a Box [N, …shape]);
 * - Discrete: an Int32Array of N (the batched space is a MultiDiscrete);
 * - MultiDiscrete / MultiBinary: flat Int32Array / Uint8Array of N × size (an integer Box);
 * - Dict: an object of batched values; Tuple: an array of batched values;
 * - any other space (Text, …): a plain array of N values (a Tuple of N copies).
 */

/** Numeric spaces whose batch is one typed array: they can live in shared memory. */
export interface FlatLayout {
  readonly dtype: DType;
  /** Numbers per environment. */
  readonly size: number;
}

/** Reads and writes one environment's value in a batch of a given space. */
export interface SpaceBatcher<Single = unknown, Batched = unknown> {
  readonly space: Space<Single>;
  readonly batchedSpace: Space<Batched>;
  readonly numEnvs: number;
  /** Set for spaces batched as one typed array (Box, Discrete, MultiDiscrete, MultiBinary). */
  readonly flat: FlatLayout | undefined;
  /** A new zero-filled batch; flat layouts can be placed on a (shared) buffer of `byteLength(flat, N)` bytes. */
  allocate(buffer?: ArrayBufferLike): Batched;
  /** Store environment `index`'s value (copied). Throws when the value has the wrong size. */
  write(batch: Batched, index: number, value: Single): void;
  /**
   * Environment `index`'s value. Array values are copied into a buffer owned by this batcher
   * (one per index, reused on the next read), so reading allocates nothing.
   */
  read(batch: Batched, index: number): Single;
  /** Why `batch` does not have the batch's structure and sizes, or undefined when it does. Values are not range-checked. */
  explainBadBatch(batch: unknown): string | undefined;
  /** An independent copy of a batch (for callers that keep results across steps). */
  copy(batch: Batched): Batched;
}

/** Bytes a flat batch of `numEnvs` environments takes. */
export function flatByteLength(layout: FlatLayout, numEnvs: number): number {
  const { BYTES_PER_ELEMENT } = typedArrayConstructor(layout.dtype) as unknown as { BYTES_PER_ELEMENT: number };
  return BYTES_PER_ELEMENT * layout.size * numEnvs;
}

/** The space of N stacked values of `space` (Gymnasium's `batch_space`). */
export function batchSpace(space: Space, numEnvs: number): Space {
  return createBatcher(space, numEnvs).batchedSpace;
}

/** The batcher for `numEnvs` values of `space`. */
export function createBatcher<Single = unknown, Batched = unknown>(space: Space<Single>, numEnvs: number): SpaceBatcher<Single, Batched> {
  if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new RangeError(`The number of environments must be a positive integer, got ${numEnvs}`);
  return makeBatcher(space as Space, numEnvs) as unknown as SpaceBatcher<Single, Batched>;
}

function makeBatcher(space: Space, numEnvs: number): SpaceBatcher {
  if (space instanceof Box) return new BoxBatcher(space, numEnvs) as SpaceBatcher;
  if (space instanceof Discrete) return new DiscreteBatcher(space, numEnvs) as SpaceBatcher;
  if (space instanceof MultiDiscrete) return new MultiDiscreteBatcher(space, numEnvs) as SpaceBatcher;
  if (space instanceof MultiBinary) return new MultiBinaryBatcher(space, numEnvs) as SpaceBatcher;
  if (space instanceof Dict) return new DictBatcher(space, numEnvs) as SpaceBatcher;
  if (space instanceof Tuple) return new TupleBatcher(space, numEnvs) as SpaceBatcher;
  return new ListBatcher(space, numEnvs);
}

/** Shared code of the batchers whose batch is one typed array of N × size numbers. */
abstract class FlatBatcher<Single extends NumericArray | number> implements SpaceBatcher<Single, NumericArray> {
  abstract readonly space: Space<Single>;
  abstract readonly batchedSpace: Space<NumericArray>;
  readonly numEnvs: number;
  readonly flat: FlatLayout;
  /** Set for integer layouts: arrays of other types are checked value by value before use. */
  private readonly integerArray: (abstract new (length: number) => NumericArray) | undefined;

  constructor(numEnvs: number, layout: FlatLayout) {
    this.numEnvs = numEnvs;
    this.flat = layout;
    this.integerArray = isFloatDType(layout.dtype) ? undefined : typedArrayConstructor(layout.dtype);
  }

  allocate(buffer?: ArrayBufferLike): NumericArray {
    const Ctor = typedArrayConstructor(this.flat.dtype) as unknown as {
      new (length: number): NumericArray;
      new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray;
    };
    const length = this.flat.size * this.numEnvs;
    if (buffer === undefined) return new Ctor(length);
    if (buffer.byteLength < flatByteLength(this.flat, this.numEnvs)) {
      throw new RangeError(`A batch of ${this.numEnvs} × ${this.space.toString()} needs ${flatByteLength(this.flat, this.numEnvs)} bytes, the buffer has ${buffer.byteLength}`);
    }
    return new Ctor(buffer, 0, length);
  }

  abstract write(batch: NumericArray, index: number, value: Single): void;
  abstract read(batch: NumericArray, index: number): Single;

  explainBadBatch(batch: unknown): string | undefined {
    const expected = this.numEnvs * this.flat.size;
    if (!isNumericArrayLike(batch)) {
      return `expected a flat array of ${expected} numbers (${this.numEnvs} envs × ${this.flat.size}), got ${describeValue(batch)}`;
    }
    if (batch.length !== expected) {
      return `expected ${expected} numbers (${this.numEnvs} envs × ${this.flat.size}), got ${batch.length}`;
    }
    // Storing into an integer typed array would silently truncate 0.5 or wrap 2^40; an array of
    // the batch's own type needs no check.
    if (this.integerArray !== undefined && !(batch instanceof this.integerArray)) {
      const [min, max] = dtypeRange(this.flat.dtype);
      for (let i = 0; i < batch.length; i++) {
        const v = batch[i];
        if (!Number.isInteger(v) || v < min || v > max) return `element ${i} = ${v} is not an integer in the ${this.flat.dtype} range`;
      }
    }
    return undefined;
  }

  copy(batch: NumericArray): NumericArray {
    return batch.slice();
  }
}

/** Box, MultiDiscrete, MultiBinary: each env owns `size` consecutive numbers. */
class ArrayBatcher<Single extends NumericArray> extends FlatBatcher<Single> {
  readonly space: Space<Single>;
  readonly batchedSpace: Space<NumericArray>;
  private readonly views: (Single | undefined)[];

  constructor(space: Space<Single>, batchedSpace: Space<NumericArray>, numEnvs: number, layout: FlatLayout) {
    super(numEnvs, layout);
    this.space = space;
    this.batchedSpace = batchedSpace;
    this.views = new Array<Single | undefined>(numEnvs).fill(undefined);
  }

  write(batch: NumericArray, index: number, value: Single): void {
    const size = this.flat.size;
    const values = value as ArrayLike<number>;
    if (values === null || typeof values !== 'object' || values.length !== size) {
      throw new RangeError(`expected ${size} values for ${this.space.toString()}, got ${describeValue(value)}`);
    }
    const offset = index * size;
    // A plain loop beats TypedArray#set for the few numbers of a typical observation.
    if (size > 32 && ArrayBuffer.isView(values)) batch.set(values as NumericArray, offset);
    else for (let k = 0; k < size; k++) batch[offset + k] = values[k];
  }

  read(batch: NumericArray, index: number): Single {
    const size = this.flat.size;
    let view = this.views[index];
    if (view === undefined) {
      view = new (typedArrayConstructor(this.flat.dtype))(size) as Single;
      this.views[index] = view;
    }
    const offset = index * size;
    for (let k = 0; k < size; k++) view[k] = batch[offset + k];
    return view;
  }
}

class BoxBatcher extends ArrayBatcher<NumericArray> {
  constructor(space: Box<DType>, numEnvs: number) {
    const batched = new Box({
      low: tile(space.low, numEnvs),
      high: tile(space.high, numEnvs),
      shape: [numEnvs, ...space.shape],
      dtype: space.dtype,
    });
    super(space as Space<NumericArray>, batched as Space<NumericArray>, numEnvs, { dtype: space.dtype, size: space.size });
  }
}

class MultiDiscreteBatcher extends ArrayBatcher<Int32Array> {
  constructor(space: MultiDiscrete, numEnvs: number) {
    const high = Float64Array.from(space.nvec, (n, i) => space.start[i] + n - 1);
    const batched = new Box({ low: tile(space.start, numEnvs), high: tile(high, numEnvs), shape: [numEnvs, space.size], dtype: 'int32' });
    super(space, batched as Space<NumericArray>, numEnvs, { dtype: 'int32', size: space.size });
  }
}

class MultiBinaryBatcher extends ArrayBatcher<Uint8Array> {
  constructor(space: MultiBinary, numEnvs: number) {
    const batched = new Box({ low: 0, high: 1, shape: [numEnvs, ...space.shape], dtype: 'uint8' });
    super(space, batched as Space<NumericArray>, numEnvs, { dtype: 'uint8', size: space.size });
  }
}

/** Discrete: one int32 per env; the batched space is a MultiDiscrete of N. */
class DiscreteBatcher extends FlatBatcher<number> {
  readonly space: Discrete;
  readonly batchedSpace: Space<NumericArray>;

  constructor(space: Discrete, numEnvs: number) {
    super(numEnvs, { dtype: 'int32', size: 1 });
    this.space = space;
    this.batchedSpace = new MultiDiscrete(new Array<number>(numEnvs).fill(space.n), {
      start: new Array<number>(numEnvs).fill(space.start),
    }) as Space<NumericArray>;
  }

  write(batch: NumericArray, index: number, value: number): void {
    if (typeof value !== 'number') throw new TypeError(`expected a number for ${this.space.toString()}, got ${describeValue(value)}`);
    batch[index] = value;
  }

  read(batch: NumericArray, index: number): number {
    return batch[index];
  }
}

class DictBatcher implements SpaceBatcher<Record<string, unknown>, Record<string, unknown>> {
  readonly space: Space<Record<string, unknown>>;
  readonly batchedSpace: Space<Record<string, unknown>>;
  readonly numEnvs: number;
  readonly flat = undefined;
  private readonly keys: readonly string[];
  private readonly children: Record<string, SpaceBatcher>;
  private readonly views: (Record<string, unknown> | undefined)[];

  constructor(space: Dict, numEnvs: number) {
    this.space = space as Space<Record<string, unknown>>;
    this.numEnvs = numEnvs;
    this.keys = space.keys;
    this.children = {};
    const batchedSpaces: Record<string, Space> = {};
    for (const key of this.keys) {
      this.children[key] = makeBatcher(space.spaces[key], numEnvs);
      batchedSpaces[key] = this.children[key].batchedSpace;
    }
    this.batchedSpace = new Dict(batchedSpaces) as Space<Record<string, unknown>>;
    this.views = new Array<Record<string, unknown> | undefined>(numEnvs).fill(undefined);
  }

  allocate(buffer?: ArrayBufferLike): Record<string, unknown> {
    if (buffer !== undefined) throw new TypeError(`${this.space.toString()} is not batched as one typed array and cannot be placed on a buffer`);
    const batch: Record<string, unknown> = {};
    for (const key of this.keys) batch[key] = this.children[key].allocate();
    return batch;
  }

  write(batch: Record<string, unknown>, index: number, value: Record<string, unknown>): void {
    if (typeof value !== 'object' || value === null) throw new TypeError(`expected an object for ${this.space.toString()}, got ${describeValue(value)}`);
    for (const key of this.keys) {
      if (!(key in value)) throw new TypeError(`the value for ${this.space.toString()} has no key '${key}'`);
      this.children[key].write(batch[key], index, value[key]);
    }
  }

  read(batch: Record<string, unknown>, index: number): Record<string, unknown> {
    let view = this.views[index];
    if (view === undefined) {
      view = {};
      this.views[index] = view;
    }
    for (const key of this.keys) view[key] = this.children[key].read(batch[key], index);
    return view;
  }

  explainBadBatch(batch: unknown): string | undefined {
    if (typeof batch !== 'object' || batch === null || Array.isArray(batch)) {
      return `expected an object with keys ${this.keys.join(', ')}, got ${describeValue(batch)}`;
    }
    const record = batch as Record<string, unknown>;
    for (const key of this.keys) {
      const why = this.children[key].explainBadBatch(record[key]);
      if (why) return `at '${key}': ${why}`;
    }
    return undefined;
  }

  copy(batch: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of this.keys) out[key] = this.children[key].copy(batch[key]);
    return out;
  }
}

class TupleBatcher implements SpaceBatcher<unknown[], unknown[]> {
  readonly space: Space<unknown[]>;
  readonly batchedSpace: Space<unknown[]>;
  readonly numEnvs: number;
  readonly flat = undefined;
  private readonly children: SpaceBatcher[];
  private readonly views: (unknown[] | undefined)[];

  constructor(space: Tuple, numEnvs: number) {
    this.space = space as unknown as Space<unknown[]>;
    this.numEnvs = numEnvs;
    this.children = space.spaces.map((sub) => makeBatcher(sub, numEnvs));
    this.batchedSpace = new Tuple(this.children.map((child) => child.batchedSpace)) as unknown as Space<unknown[]>;
    this.views = new Array<unknown[] | undefined>(numEnvs).fill(undefined);
  }

  allocate(buffer?: ArrayBufferLike): unknown[] {
    if (buffer !== undefined) throw new TypeError(`${this.space.toString()} is not batched as one typed array and cannot be placed on a buffer`);
    return this.children.map((child) => child.allocate());
  }

  write(batch: unknown[], index: number, value: unknown[]): void {
    if (!Array.isArray(value) || value.length !== this.children.length) {
      throw new TypeError(`expected an array of ${this.children.length} elements for ${this.space.toString()}, got ${describeValue(value)}`);
    }
    for (let k = 0; k < this.children.length; k++) this.children[k].write(batch[k], index, value[k]);
  }

  read(batch: unknown[], index: number): unknown[] {
    let view = this.views[index];
    if (view === undefined) {
      view = new Array<unknown>(this.children.length);
      this.views[index] = view;
    }
    for (let k = 0; k < this.children.length; k++) view[k] = this.children[k].read(batch[k], index);
    return view;
  }

  explainBadBatch(batch: unknown): string | undefined {
    if (!Array.isArray(batch) || batch.length !== this.children.length) {
      return `expected an array of ${this.children.length} batched elements, got ${describeValue(batch)}`;
    }
    for (let k = 0; k < this.children.length; k++) {
      const why = this.children[k].explainBadBatch(batch[k]);
      if (why) return `at index ${k}: ${why}`;
    }
    return undefined;
  }

  copy(batch: unknown[]): unknown[] {
    return this.children.map((child, k) => child.copy(batch[k]));
  }
}

/** Spaces without a numeric layout (Text, custom spaces): a plain array of N values. */
class ListBatcher implements SpaceBatcher<unknown, unknown[]> {
  readonly space: Space;
  readonly batchedSpace: Space<unknown[]>;
  readonly numEnvs: number;
  readonly flat = undefined;

  constructor(space: Space, numEnvs: number) {
    this.space = space;
    this.numEnvs = numEnvs;
    this.batchedSpace = new Tuple(new Array<Space>(numEnvs).fill(space)) as unknown as Space<unknown[]>;
  }

  allocate(buffer?: ArrayBufferLike): unknown[] {
    if (buffer !== undefined) throw new TypeError(`${this.space.toString()} is not batched as one typed array and cannot be placed on a buffer`);
    return new Array<unknown>(this.numEnvs).fill(null);
  }

  write(batch: unknown[], index: number, value: unknown): void {
    batch[index] = value;
  }

  read(batch: unknown[], index: number): unknown {
    return batch[index];
  }

  explainBadBatch(batch: unknown): string | undefined {
    if (!Array.isArray(batch) || batch.length !== this.numEnvs) {
      return `expected an array of ${this.numEnvs} values of ${this.space.toString()}, got ${describeValue(batch)}`;
    }
    return undefined;
  }

  copy(batch: unknown[]): unknown[] {
    return structuredClone(batch);
  }
}

function tile(values: ArrayLike<number>, times: number): Float64Array {
  const out = new Float64Array(values.length * times);
  for (let t = 0; t < times; t++) for (let k = 0; k < values.length; k++) out[t * values.length + k] = values[k];
  return out;
}
