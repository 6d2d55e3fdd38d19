import { describe, expect, it } from 'vitest';
import { Env, type StepResult } from '../env.js';
import { Discrete } from '../spaces/discrete.js';
import { Text } from '../spaces/text.js';
import { Tuple } from '../spaces/tuple.js';
import { FlattenObservation } from './flatten-observation.js';

type Hand = readonly [number, number, number];

/** Blackjack-shaped observations: (player sum, dealer card, usable ace). */
class HandEnv extends Env<Hand, number> {
  readonly observationSpace = new Tuple([new Discrete(32), new Discrete(11), new Discrete(2)] as const);
  readonly actionSpace = new Discrete(2);
  private sum = 12;
  reset() {
    this.sum = 12;
    return { obs: [this.sum, 5, 0] as Hand, info: {} };
  }
  step(action: number): StepResult<Hand> {
    this.sum += action * 3;
    return { obs: [this.sum, 5, 1], reward: 0, terminated: this.sum > 21, truncated: false, info: {} };
  }
}

function hot(flat: ArrayLike<number>): number[] {
  return Array.from(flat).flatMap((v, i) => (v === 1 ? [i] : []));
}

describe('FlattenObservation', () => {
  it('flattens reset and step observations into its flat Box', () => {
    const env = new FlattenObservation(new HandEnv());
    expect(env.observationSpace.toString()).toBe('Box(0.0, 1.0, (45,), float32)');
    const { obs } = env.reset();
    expect(obs).toBeInstanceOf(Float32Array);
    expect(hot(obs)).toEqual([12, 32 + 5, 43]);
    const step = env.step(1);
    expect(hot(step.obs)).toEqual([15, 37, 44]);
    expect(env.observationSpace.contains(step.obs)).toBe(true);
    // earlier observations stay as they were
    expect(hot(obs)).toEqual([12, 37, 43]);
  });

  it('refuses text observations', () => {
    class TextEnv extends Env<string, number> {
      readonly observationSpace = new Text(4);
      readonly actionSpace = new Discrete(1);
      reset() {
        return { obs: 'a', info: {} };
      }
      step(): StepResult<string> {
        return { obs: 'a', reward: 0, terminated: false, truncated: false, info: {} };
      }
    }
    expect(() => new FlattenObservation(new TextEnv())).toThrow(/cannot be flattened/);
  });
});
