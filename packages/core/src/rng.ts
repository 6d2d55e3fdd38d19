import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { randomInt } from 'node:crypto';

/** Serialisable state of an {@link Rng}, for checkpoints and replay. */
export interface RngState {
  readonly algorithm: 'xoroshiro128plus';
  readonly state: readonly number[];
  /** The second normal of the last polar-method pair, not yet returned (part of the stream). */
  readonly spareNormal?: number;
}

/**
 * The seeded random generator used everywhere in rlft (Gymnasium's `np_random`).
 * Backed by pure-rand's xoroshiro128+; the same seed gives the same stream on every platform.
 */
export class Rng {
  private generator: JumpableRandomGenerator;
  private spareNormal: number | undefined;

  private constructor(generator: JumpableRandomGenerator) {
    this.generator = generator;
  }

  /** A generator seeded with `seed` (any safe integer), or from OS entropy when no seed is given. */
  static fromSeed(seed?: number): Rng {
    return new Rng(xoroshiro128plusFromState(expandSeed(seed === undefined ? entropySeed() : foldSeed(seed))));
  }

  static fromState(state: RngState): Rng {
    if (state.algorithm !== 'xoroshiro128plus') {
      throw new Error(`Unknown RNG algorithm '${String(state.algorithm)}'; allowed: xoroshiro128plus`);
    }
    const rng = new Rng(xoroshiro128plusFromState(state.state));
    rng.spareNormal = state.spareNormal;
    return rng;
  }

  getState(): RngState {
    const state = [...this.generator.getState()];
    return this.spareNormal === undefined ? { algorithm: 'xoroshiro128plus', state } : { algorithm: 'xoroshiro128plus', state, spareNormal: this.spareNormal };
  }

  /** An independent copy: both continue with the same stream from here. */
  clone(): Rng {
    const copy = new Rng(this.generator.clone());
    copy.spareNormal = this.spareNormal;
    return copy;
  }

  /** A new generator far ahead in the stream (for splitting work across envs or workers). */
  split(): Rng {
    const child = this.generator.clone();
    child.jump();
    this.generator.next();
    return new Rng(child);
  }

  /** A 32-bit integer seed drawn from this generator (to seed sub-generators, like Gymnasium's seeding). */
  nextSeed(): number {
    return this.generator.next() >>> 0;
  }

  /** Uniform float in [0, 1). */
  random(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * uniformFloat64(this.generator);
  }

  /** Uniform integer in [from, to], both included. */
  integer(from: number, to: number): number {
    return uniformInt(this.generator, from, to);
  }

  /** Standard normal (Marsaglia polar method, spare value cached). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * uniformFloat64(this.generator) - 1;
      v = 2 * uniformFloat64(this.generator) - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    return mean + std * u * factor;
  }

  /** Exponential with rate 1 (used by Box sampling of half-bounded dimensions). */
  exponential(): number {
    return -Math.log(1 - uniformFloat64(this.generator));
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = uniformInt(this.generator, 0, i);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

/** pure-rand seeds are 32-bit; fold larger safe integers so that distinct seeds stay distinct in practice. */
function foldSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`Seed must be a safe integer, got ${seed}`);
  }
  const low = seed % 0x1_0000_0000;
  const high = Math.floor(seed / 0x1_0000_0000);
  return (low ^ Math.imul(high, 0x9e3779b1)) | 0;
}

/**
 * The 128-bit generator state for a 32-bit seed. pure-rand's `xoroshiro128plus(seed)` stores
 * the seed almost verbatim (−1, ~seed, seed, 0), so the first draws of nearby seeds are nearly
 * equal (seeds 0…99 all start with random() ≈ 0.99999999, i.e. every env reset to the same
 * corner). Four words from a SplitMix-style hash of seed + k·golden ratio decorrelate them;
 * the hash is a bijection, so distinct seeds still give distinct states (never all zero).
 */
function expandSeed(seed: number): number[] {
  const words: number[] = [];
  let z = seed | 0;
  for (let k = 0; k < 4; k++) {
    z = (z + 0x9e3779b9) | 0;
    let t = z ^ (z >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    t ^= t >>> 15;
    words.push(t | 0);
  }
  return words;
}

function entropySeed(): number {
  return randomInt(0, 0x7fff_ffff);
}
