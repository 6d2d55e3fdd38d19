import { describe, expect, it } from 'vitest';
import { Env, type StepResult } from '../env.js';
import { InvalidActionError, UnsupportedError } from '../errors.js';
import { Box } from '../spaces/box.js';
import { Discrete } from '../spaces/discrete.js';
import { ActionChecker } from './action-checker.js';
import { ClipAction } from './clip-action.js';
import { RescaleAction } from './rescale-action.js';

/** Records every action it receives (a copy) and returns it as the observation. */
class EchoEnv extends Env<Float32Array, Float32Array> {
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  readonly received: number[][] = [];
  constructor(low: number | number[], high: number | number[], size: number) {
    super();
    this.actionSpace = new Box({ low, high, shape: [size] });
    this.observationSpace = new Box({ low: -Infinity, high: Infinity, shape: [size] });
  }
  reset() {
    return { obs: this.observationSpace.zeros(), info: {} };
  }
  step(action: Float32Array): StepResult<Float32Array> {
    this.received.push(Array.from(action));
    return { obs: Float32Array.from(action), reward: 0, terminated: false, truncated: false, info: {} };
  }
}

class DiscreteEnv extends Env<number, number> {
  readonly observationSpace = new Discrete(2);
  readonly actionSpace = new Discrete(2);
  reset() {
    return { obs: 0, info: {} };
  }
  step(): StepResult<number> {
    return { obs: 0, reward: 0, terminated: false, truncated: false, info: {} };
  }
}

describe('ClipAction', () => {
  it('clips each element into the inner bounds and exposes an unbounded Box', () => {
    const inner = new EchoEnv([-1, 0], [1, 10], 2);
    const env = new ClipAction(inner);
    expect(env.actionSpace.toString()).toBe('Box(-inf, inf, (2,), float32)');
    expect(env.actionSpace.contains([1e9, -1e9])).toBe(true);
    env.reset();
    env.step([-5, 20]);
    env.step(new Float32Array([0.5, 3]));
    env.step([Infinity, -Infinity]);
    expect(inner.received).toEqual([
      [-1, 10],
      [0.5, 3],
      [1, 0],
    ]);
  });

  it('does not change actions the caller keeps', () => {
    const env = new ClipAction(new EchoEnv(-1, 1, 1));
    const action = [3];
    const first = env.step(action).obs;
    env.step([-3]);
    expect(action).toEqual([3]);
    expect(Array.from(first)).toEqual([1]);
  });

  it('lets NaN through to the action checker, and rejects wrong shapes itself', () => {
    const env = new ClipAction(new ActionChecker(new EchoEnv(-1, 1, 2)));
    expect(() => env.step([NaN, 0])).toThrow(/element 0 is NaN/);
    expect(() => env.step([0])).toThrow(InvalidActionError);
    expect(() => env.step([0])).toThrow(/expected an array of 2 numbers/);
  });

  it('needs a Box action space', () => {
    expect(() => new ClipAction(new DiscreteEnv() as never)).toThrow(UnsupportedError);
    expect(() => new ClipAction(new DiscreteEnv() as never)).toThrow('ClipAction needs a Box action space; DiscreteEnv has Discrete(2)');
  });
});

describe('RescaleAction', () => {
  it('maps [-1, 1] onto [0, 10] exactly', () => {
    const inner = new EchoEnv(0, 10, 1);
    const env = new RescaleAction(inner, -1, 1);
    expect(env.actionSpace.toString()).toBe('Box(-1.0, 1.0, (1,), float32)');
    for (const a of [-1, -0.5, 0, 0.5, 1]) env.step([a]);
    expect(inner.received.map((r) => r[0])).toEqual([0, 2.5, 5, 7.5, 10]);
  });

  it('takes per-element bounds and clips what rounding or outside values would push past the bounds', () => {
    const inner = new EchoEnv([-2, 100], [2, 200], 2);
    const env = new RescaleAction(inner, [0, -1], [1, 0]);
    env.step([0, -1]);
    env.step([1, 0]);
    env.step([0.25, -0.75]);
    env.step([5, -5]);
    expect(inner.received).toEqual([
      [-2, 100],
      [2, 200],
      [-1, 125],
      [2, 100],
    ]);
    expect(Array.from(env.minAction)).toEqual([0, -1]);
  });

  it('validates its bounds and the inner space', () => {
    const inner = new EchoEnv(0, 10, 2);
    expect(() => new RescaleAction(inner, 1, 1)).toThrow('RescaleAction needs minAction < maxAction in every element; element 0 has [1, 1]');
    expect(() => new RescaleAction(inner, [0, 0, 0], 1)).toThrow('RescaleAction minAction has 3 values, the action space has 2');
    expect(() => new RescaleAction(inner, -Infinity, 1)).toThrow(/must be finite/);
    expect(() => new RescaleAction(new EchoEnv(-Infinity, 1, 1), -1, 1)).toThrow(/needs finite action bounds; EchoEnv has Box\(-inf, 1.0/);
  });
});
