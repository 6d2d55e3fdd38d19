import { Rng } from '../rng.js';
import type { SpaceJSON } from './json.js';

/**
 * A set of values an observation or action may take (Gymnasium's `Space`).
 * Values use plain JS shapes: typed arrays for Box/MultiDiscrete/MultiBinary, numbers for
 * Discrete, strings for Text, objects for Dict and arrays for Tuple.
 */
export abstract class Space<T = unknown> {
  private ownRng: Rng | undefined;

  /** The Gymnasium class name: 'Box', 'Discrete', … */
  abstract readonly type: string;

  /** Seed this space's own generator, used by `sample()` when no generator is passed. */
  seed(seed?: number): this {
    this.ownRng = Rng.fromSeed(seed);
    return this;
  }

  protected rngFor(rng: Rng | undefined): Rng {
    if (rng) return rng;
    this.ownRng ??= Rng.fromSeed();
    return this.ownRng;
  }

  /** A random element, drawn from `rng` (or this space's own seeded generator). */
  abstract sample(rng?: Rng): T;

  /** Whether `value` is an element of this space. */
  abstract contains(value: unknown): value is T;

  /** Why `value` is not an element, or undefined when it is one. Used for error messages. */
  explainNotContained(value: unknown): string | undefined {
    return this.contains(value) ? undefined : `${describeValue(value)} is not in ${this.toString()}`;
  }

  /** JSON-safe description (Minari's layout), parsed back by `spaceFromJSON`. */
  abstract toJSON(): SpaceJSON;

  /** Short human form, e.g. `Box(-1.0, 1.0, (6,), float32)`. */
  abstract toString(): string;

  /** Structural equality (same type, bounds, shapes and dtypes). */
  equals(other: Space): boolean {
    return JSON.stringify(this.toJSON()) === JSON.stringify(other.toJSON());
  }
}

/** Compact rendering of any value for error messages. */
export function describeValue(value: unknown): string {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const array = Array.from(value as unknown as ArrayLike<number>);
    return `${value.constructor.name}[${array.slice(0, 8).join(', ')}${array.length > 8 ? ', …' : ''}]`;
  }
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}
