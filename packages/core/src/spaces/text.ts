import type { Rng } from '../rng.js';
import { Space } from './space.js';
import type { TextJSON } from './json.js';

export const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface TextOptions {
  minLength?: number;
  /** Allowed characters; `null` allows any character (for language-model text). */
  charset?: string | null;
}

/** Strings of length in [minLength, maxLength] over a charset (Gymnasium's `Text`). */
export class Text extends Space<string> {
  readonly type = 'Text';
  readonly maxLength: number;
  readonly minLength: number;
  readonly charset: string | null;
  private readonly charSet: Set<string> | null;
  private readonly chars: string[];

  constructor(maxLength: number, options: TextOptions = {}) {
    super();
    const minLength = options.minLength ?? 1;
    if (!Number.isInteger(maxLength) || maxLength < 0) throw new RangeError(`Text maxLength must be a non-negative integer, got ${maxLength}`);
    if (!Number.isInteger(minLength) || minLength < 0 || minLength > maxLength) {
      throw new RangeError(`Text minLength must be an integer in [0, ${maxLength}], got ${minLength}`);
    }
    this.maxLength = maxLength;
    this.minLength = minLength;
    this.charset = options.charset === undefined ? ALPHANUMERIC : options.charset;
    this.chars = this.charset === null ? [...ALPHANUMERIC] : [...new Set(this.charset)];
    this.charSet = this.charset === null ? null : new Set(this.chars);
  }

  /** A string of uniform random length in [minLength, maxLength] with uniform characters. */
  sample(rng?: Rng): string {
    const generator = this.rngFor(rng);
    const length = generator.integer(this.minLength, this.maxLength);
    let out = '';
    for (let i = 0; i < length; i++) out += this.chars[generator.integer(0, this.chars.length - 1)];
    return out;
  }

  contains(value: unknown): value is string {
    return this.explainNotContained(value) === undefined;
  }

  override explainNotContained(value: unknown): string | undefined {
    if (typeof value !== 'string') return `expected a string for ${this.toString()}, got ${typeof value}`;
    const length = [...value].length;
    if (length < this.minLength || length > this.maxLength) {
      return `text length ${length} is outside [${this.minLength}, ${this.maxLength}]`;
    }
    if (this.charSet) {
      for (const ch of value) if (!this.charSet.has(ch)) return `character ${JSON.stringify(ch)} is not in the charset`;
    }
    return undefined;
  }

  toJSON(): TextJSON {
    return { type: 'Text', max_length: this.maxLength, min_length: this.minLength, charset: this.charset ?? '' };
  }

  toString(): string {
    return `Text(${this.minLength}, ${this.maxLength}${this.charset === null ? ', any' : ''})`;
  }
}
