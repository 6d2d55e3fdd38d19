import type { Rng } from '../rng.js';
import { Space } from './space.js';
import {
  assertDType,
  dtypeRange,
  isFloatDType,
  isNumericArrayLike,
  typedArrayConstructor,
  type DType,
  type TypedArrayOf,
} from './dtype.js';
import { decodeNumber, encodeNumber, nestList, type BoxJSON } from './json.js';

export interface BoxOptions<D extends DType> {
  /** Lower bound: one number for every element, or one per element (flat, row-major). */
  low: number | ArrayLike<number>;
  high: number | ArrayLike<number>;
  /** Defaults to the length of `low`/`high` when they are arrays. */
  shape?: readonly number[];
  dtype?: D;
}

/**
 * A (possibly unbounded) box in R^n. Elements are flat, row-major typed arrays of `dtype`;
 * `contains` also accepts plain number arrays of the right length.
 */
export class Box<D extends DType = 'float32'> extends Space<TypedArrayOf<D>> {
  readonly type = 'Box';
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly size: number;
  readonly low: Float64Array;
  readonly high: Float64Array;
  private readonly boundedBelow: Uint8Array;
  private readonly boundedAbove: Uint8Array;

  constructor(options: BoxOptions<D>) {
    super();
    const dtype = (options.dtype ?? 'float32') as D;
    assertDType(dtype);
    const shape = options.shape ?? inferShape(options.low, options.high);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new TypeError(`Box shape must be non-negative integers, got [${shape.join(', ')}]`);
    }
    this.shape = [...shape];
    this.dtype = dtype;
    this.size = shape.reduce((a, b) => a * b, 1);
    this.low = broadcast(options.low, this.size, 'low');
    this.high = broadcast(options.high, this.size, 'high');
    const [minValue, maxValue] = dtypeRange(dtype);
    this.boundedBelow = new Uint8Array(this.size);
    this.boundedAbove = new Uint8Array(this.size);
    for (let i = 0; i < this.size; i++) {
      if (Number.isNaN(this.low[i]) || Number.isNaN(this.high[i])) throw new RangeError('Box bounds must not be NaN');
      if (this.low[i] > this.high[i]) {
        throw new RangeError(`Box low[${i}] = ${this.low[i]} is above high[${i}] = ${this.high[i]}`);
      }
      if (dtype === 'float32') {
        this.low[i] = Math.fround(this.low[i]);
        this.high[i] = Math.fround(this.high[i]);
      } else if (!isFloatDType(dtype)) {
        this.low[i] = Math.max(this.low[i], minValue);
        this.high[i] = Math.min(this.high[i], maxValue);
      }
      this.boundedBelow[i] = this.low[i] > -Infinity ? 1 : 0;
      this.boundedAbove[i] = this.high[i] < Infinity ? 1 : 0;
    }
  }

  /** Whether every dimension is bounded on both sides. */
  isBounded(): boolean {
    for (let i = 0; i < this.size; i++) if (!this.boundedBelow[i] || !this.boundedAbove[i]) return false;
    return true;
  }

  /** A zero-filled element (zeros are not always inside the box). */
  zeros(): TypedArrayOf<D> {
    return new (typedArrayConstructor(this.dtype))(this.size);
  }

  /** Convert any numeric array-like of the right length to this space's typed array. */
  fromArray(values: ArrayLike<number>): TypedArrayOf<D> {
    if (values.length !== this.size) {
      throw new RangeError(`Expected ${this.size} values for ${this.toString()}, got ${values.length}`);
    }
    const out = this.zeros();
    for (let i = 0; i < this.size; i++) out[i] = values[i];
    return out;
  }

  /** Element-wise clip into the bounds. */
  clip(values: ArrayLike<number>): TypedArrayOf<D> {
    const out = this.fromArray(values);
    for (let i = 0; i < this.size; i++) out[i] = Math.min(this.high[i], Math.max(this.low[i], out[i]));
    return out;
  }

  /**
   * Gymnasium's sampling: uniform on bounded dimensions, normal on unbounded ones, shifted
   * exponential on half-bounded ones; integer dtypes draw from [low, high] inclusive.
   */
  sample(rng?: Rng): TypedArrayOf<D> {
    const generator = this.rngFor(rng);
    const out = this.zeros();
    const isFloat = isFloatDType(this.dtype);
    for (let i = 0; i < this.size; i++) {
      const low = this.low[i];
      const high = this.high[i];
      if (!isFloat) {
        out[i] = generator.integer(low, high);
        continue;
      }
      let value: number;
      if (this.boundedBelow[i] && this.boundedAbove[i]) value = generator.uniform(low, high);
      else if (this.boundedBelow[i]) value = low + generator.exponential();
      else if (this.boundedAbove[i]) value = high - generator.exponential();
      else value = generator.normal();
      out[i] = value;
      // float32 rounding may land exactly on (or past) a bound; keep the sample inside.
      if (out[i] > high) out[i] = high;
      if (out[i] < low) out[i] = low;
    }
    return out;
  }

  contains(value: unknown): value is TypedArrayOf<D> {
    return this.explainNotContained(value) === undefined;
  }

  override explainNotContained(value: unknown): string | undefined {
    if (!isNumericArrayLike(value)) {
      return `expected an array of ${this.size} numbers for ${this.toString()}, got ${typeof value === 'object' ? 'a non-numeric object' : typeof value}`;
    }
    if (value.length !== this.size) {
      return `expected ${this.size} values for ${this.toString()}, got ${value.length}`;
    }
    const isFloat = isFloatDType(this.dtype);
    for (let i = 0; i < this.size; i++) {
      let v = value[i];
      if (Number.isNaN(v)) return `element ${i} is NaN`;
      if (this.dtype === 'float32') v = Math.fround(v);
      if (!isFloat && !Number.isInteger(v)) return `element ${i} = ${v} is not an integer (dtype ${this.dtype})`;
      if (v < this.low[i] || v > this.high[i]) {
        return `element ${i} = ${v} is outside [${this.low[i]}, ${this.high[i]}]`;
      }
    }
    return undefined;
  }

  toJSON(): BoxJSON {
    return {
      type: 'Box',
      dtype: this.dtype,
      shape: [...this.shape],
      low: nestList(Array.from(this.low, encodeNumber), this.shape),
      high: nestList(Array.from(this.high, encodeNumber), this.shape),
    };
  }

  static fromJSON(json: BoxJSON): Box<DType> {
    const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flat(Infinity).map(decodeNumber) : [decodeNumber(v)]);
    return new Box({ low: flat(json.low), high: flat(json.high), shape: json.shape, dtype: json.dtype as DType });
  }

  toString(): string {
    const bound = (values: Float64Array): string => {
      const first = values[0];
      const uniform = values.every((v) => v === first);
      return uniform ? formatBound(first) : `[${Array.from(values, formatBound).join(' ')}]`;
    };
    const shape = this.shape.length === 1 ? `(${this.shape[0]},)` : `(${this.shape.join(', ')})`;
    return `Box(${this.size ? bound(this.low) : ''}, ${this.size ? bound(this.high) : ''}, ${shape}, ${this.dtype})`;
  }
}

function formatBound(v: number): string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return Number.isInteger(v) ? v.toFixed(1) : String(Number(v.toPrecision(7)));
}

function inferShape(low: number | ArrayLike<number>, high: number | ArrayLike<number>): number[] {
  if (typeof low !== 'number') return [low.length];
  if (typeof high !== 'number') return [high.length];
  throw new TypeError('Box needs a shape when low and high are both scalars');
}

function broadcast(bound: number | ArrayLike<number>, size: number, name: string): Float64Array {
  const out = new Float64Array(size);
  if (typeof bound === 'number') {
    out.fill(bound);
    return out;
  }
  if (bound.length !== size) {
    throw new RangeError(`Box ${name} has ${bound.length} values but the shape holds ${size}`);
  }
  for (let i = 0; i < size; i++) out[i] = bound[i];
  return out;
}
