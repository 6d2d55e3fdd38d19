import type { Rng } from '../rng.js';
import { Space } from './space.js';
import { isNumericArrayLike } from './dtype.js';
import type { MultiBinaryJSON } from './json.js';

/** Binary vectors (or arrays, row-major) of a fixed shape, as Uint8Array of 0/1. */
export class MultiBinary extends Space<Uint8Array> {
  readonly type = 'MultiBinary';
  readonly shape: readonly number[];
  readonly size: number;

  constructor(n: number | readonly number[]) {
    super();
    this.shape = typeof n === 'number' ? [n] : [...n];
    if (!this.shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new RangeError(`MultiBinary needs positive integer sizes, got ${JSON.stringify(n)}`);
    }
    this.size = this.shape.reduce((a, b) => a * b, 1);
  }

  sample(rng?: Rng, mask?: ArrayLike<number>): Uint8Array {
    const generator = this.rngFor(rng);
    const out = new Uint8Array(this.size);
    // mask entries: 0 forces 0, 1 forces 1, 2 samples (Gymnasium's convention)
    for (let i = 0; i < this.size; i++) {
      const m = mask ? mask[i] : 2;
      out[i] = m === 2 ? generator.integer(0, 1) : m;
    }
    return out;
  }

  contains(value: unknown): value is Uint8Array {
    return this.explainNotContained(value) === undefined;
  }

  override explainNotContained(value: unknown): string | undefined {
    if (!isNumericArrayLike(value)) return `expected an array of ${this.size} zeros and ones for ${this.toString()}`;
    if (value.length !== this.size) return `expected ${this.size} values for ${this.toString()}, got ${value.length}`;
    for (let i = 0; i < value.length; i++) {
      if (value[i] !== 0 && value[i] !== 1) return `element ${i} = ${value[i]} is not 0 or 1`;
    }
    return undefined;
  }

  toJSON(): MultiBinaryJSON {
    return { type: 'MultiBinary', n: this.shape.length === 1 ? this.shape[0] : [...this.shape] };
  }

  toString(): string {
    return `MultiBinary(${this.shape.length === 1 ? this.shape[0] : `[${this.shape.join(', ')}]`})`;
  }
}
