import type { Rng } from '../rng.js';
import { Space } from './space.js';
import { isNumericArrayLike } from './dtype.js';
import type { MultiDiscreteJSON } from './json.js';

/** A vector of independent discrete values: element i lies in [start[i], start[i] + nvec[i]). */
export class MultiDiscrete extends Space<Int32Array> {
  readonly type = 'MultiDiscrete';
  readonly nvec: Int32Array;
  readonly start: Int32Array;

  constructor(nvec: ArrayLike<number>, options: { start?: ArrayLike<number> } = {}) {
    super();
    this.nvec = Int32Array.from(nvec);
    this.start = options.start ? Int32Array.from(options.start) : new Int32Array(this.nvec.length);
    if (this.start.length !== this.nvec.length) {
      throw new RangeError(`MultiDiscrete start has ${this.start.length} entries, nvec has ${this.nvec.length}`);
    }
    if (!this.nvec.every((n) => n > 0)) throw new RangeError('MultiDiscrete nvec entries must be positive');
  }

  get size(): number {
    return this.nvec.length;
  }

  sample(rng?: Rng): Int32Array {
    const generator = this.rngFor(rng);
    const out = new Int32Array(this.nvec.length);
    for (let i = 0; i < out.length; i++) out[i] = this.start[i] + generator.integer(0, this.nvec[i] - 1);
    return out;
  }

  contains(value: unknown): value is Int32Array {
    return this.explainNotContained(value) === undefined;
  }

  override explainNotContained(value: unknown): string | undefined {
    if (!isNumericArrayLike(value)) return `expected an array of ${this.nvec.length} integers for ${this.toString()}`;
    if (value.length !== this.nvec.length) return `expected ${this.nvec.length} values for ${this.toString()}, got ${value.length}`;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (!Number.isInteger(v) || v < this.start[i] || v >= this.start[i] + this.nvec[i]) {
        return `element ${i} = ${v} is not an integer in [${this.start[i]}, ${this.start[i] + this.nvec[i] - 1}]`;
      }
    }
    return undefined;
  }

  toJSON(): MultiDiscreteJSON {
    return { type: 'MultiDiscrete', dtype: 'int64', nvec: Array.from(this.nvec), start: Array.from(this.start) };
  }

  toString(): string {
    return `MultiDiscrete([${this.nvec.join(' ')}])`;
  }
}
