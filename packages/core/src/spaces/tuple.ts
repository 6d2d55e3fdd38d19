import type { Rng } from '../rng.js';
import { Space } from './space.js';
import type { TupleJSON } from './json.js';

type ValuesOf<S extends readonly Space[]> = { [K in keyof S]: S[K] extends Space<infer T> ? T : never };

/** A fixed-length sequence of sub-spaces; elements are arrays. */
export class Tuple<S extends readonly Space[] = readonly Space[]> extends Space<ValuesOf<S>> {
  readonly type = 'Tuple';
  readonly spaces: S;

  constructor(spaces: S) {
    super();
    this.spaces = [...spaces] as unknown as S;
  }

  sample(rng?: Rng): ValuesOf<S> {
    const generator = this.rngFor(rng);
    return this.spaces.map((space) => space.sample(generator)) as unknown as ValuesOf<S>;
  }

  contains(value: unknown): value is ValuesOf<S> {
    return this.explainNotContained(value) === undefined;
  }

  override explainNotContained(value: unknown): string | undefined {
    if (!Array.isArray(value)) return `expected an array of ${this.spaces.length} elements for ${this.toString()}`;
    if (value.length !== this.spaces.length) return `expected ${this.spaces.length} elements, got ${value.length}`;
    for (let i = 0; i < this.spaces.length; i++) {
      const why = this.spaces[i].explainNotContained(value[i]);
      if (why) return `at index ${i}: ${why}`;
    }
    return undefined;
  }

  toJSON(): TupleJSON {
    return { type: 'Tuple', subspaces: this.spaces.map((s) => s.toJSON()) };
  }

  toString(): string {
    return `Tuple(${this.spaces.map((s) => s.toString()).join(', ')})`;
  }
}
