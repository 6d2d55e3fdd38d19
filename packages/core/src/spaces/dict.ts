import type { Rng } from '../rng.js';
import { Space } from './space.js';
import type { DictJSON } from './json.js';

type ValueOf<S> = S extends Space<infer T> ? T : never;
export type DictValue<S extends Record<string, Space>> = { [K in keyof S]: ValueOf<S[K]> };

/** A record of named sub-spaces; elements are plain objects with exactly those keys. */
export class Dict<S extends Record<string, Space> = Record<string, Space>> extends Space<DictValue<S>> {
  readonly type = 'Dict';
  readonly spaces: S;
  readonly keys: readonly (keyof S & string)[];

  constructor(spaces: S) {
    super();
    this.spaces = { ...spaces };
    this.keys = Object.keys(spaces);
  }

  sample(rng?: Rng): DictValue<S> {
    const generator = this.rngFor(rng);
    const out = {} as DictValue<S>;
    for (const key of this.keys) out[key] = this.spaces[key].sample(generator) as DictValue<S>[typeof key];
    return out;
  }

  contains(value: unknown): value is DictValue<S> {
    return this.explainNotContained(value) === undefined;
  }

  override explainNotContained(value: unknown): string | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `expected an object with keys ${this.keys.join(', ')}`;
    const record = value as Record<string, unknown>;
    const extra = Object.keys(record).filter((k) => !(k in this.spaces));
    if (extra.length) return `unexpected key(s) ${extra.join(', ')}; allowed: ${this.keys.join(', ')}`;
    for (const key of this.keys) {
      if (!(key in record)) return `missing key '${key}'`;
      const why = this.spaces[key].explainNotContained(record[key]);
      if (why) return `at '${key}': ${why}`;
    }
    return undefined;
  }

  toJSON(): DictJSON {
    const subspaces: DictJSON['subspaces'] = {};
    for (const key of this.keys) subspaces[key] = this.spaces[key].toJSON();
    return { type: 'Dict', subspaces };
  }

  toString(): string {
    return `Dict(${this.keys.map((k) => `'${k}': ${this.spaces[k].toString()}`).join(', ')})`;
  }
}
