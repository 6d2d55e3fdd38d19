import type { Rng } from '../rng.js';
import { Space } from './space.js';
import type { DiscreteJSON } from './json.js';

/** The integers start, start+1, …, start+n−1. */
export class Discrete extends Space<number> {
  readonly type = 'Discrete';
  readonly n: number;
  readonly start: number;

  constructor(n: number, options: { start?: number } = {}) {
    super();
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Discrete needs a positive integer n, got ${n}`);
    const start = options.start ?? 0;
    if (!Number.isInteger(start)) throw new RangeError(`Discrete start must be an integer, got ${start}`);
    this.n = n;
    this.start = start;
  }

  /** Sample uniformly, or uniformly among the entries where `mask` is 1. */
  sample(rng?: Rng, mask?: ArrayLike<number>): number {
    const generator = this.rngFor(rng);
    if (!mask) return this.start + generator.integer(0, this.n - 1);
    if (mask.length !== this.n) throw new RangeError(`Action mask has ${mask.length} entries, expected ${this.n}`);
    const allowed: number[] = [];
    for (let i = 0; i < this.n; i++) if (mask[i]) allowed.push(i);
    if (allowed.length === 0) return this.start;
    return this.start + allowed[generator.integer(0, allowed.length - 1)];
  }

  contains(value: unknown): value is number {
    return typeof value === 'number' && Number.isInteger(value) && value >= this.start && value < this.start + this.n;
  }

  override explainNotContained(value: unknown): string | undefined {
    if (this.contains(value)) return undefined;
    const allowed = this.n <= 10 ? `one of ${Array.from({ length: this.n }, (_, i) => i + this.start).join(', ')}` : `an integer in [${this.start}, ${this.start + this.n - 1}]`;
    return `${typeof value === 'number' ? value : JSON.stringify(value)} is not ${allowed}`;
  }

  toJSON(): DiscreteJSON {
    return { type: 'Discrete', dtype: 'int64', n: this.n, start: this.start };
  }

  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}
