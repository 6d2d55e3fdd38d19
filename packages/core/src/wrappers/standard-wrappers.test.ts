import { describe, expect, it } from 'vitest';
import { Env, type StepResult } from '../env.js';
import { InvalidActionError, ResetNeededError } from '../errors.js';
import { Box } from '../spaces/box.js';
import { Discrete } from '../spaces/discrete.js';
import { ActionChecker } from './action-checker.js';
import { OrderEnforcing } from './order-enforcing.js';
import { TimeLimit } from './time-limit.js';

/** Walks right by the action; terminates on reaching `goal`. */
class WalkEnv extends Env<number, number> {
  readonly observationSpace = new Discrete(100);
  readonly actionSpace = new Discrete(3, { start: -1 });
  position = 0;
  steps = 0;
  constructor(private readonly goal = 50) {
    super();
  }
  reset() {
    this.position = 0;
    return { obs: 0, info: {} };
  }
  step(action: number): StepResult<number> {
    this.steps++;
    this.position = Math.max(0, this.position + action);
    return { obs: this.position, reward: action, terminated: this.position >= this.goal, truncated: false, info: {} };
  }
}

/** An env whose action space is unbounded, so only the finiteness check stands between it and Infinity. */
class ForceEnv extends Env<Float32Array, Float32Array> {
  readonly observationSpace = new Box({ low: -Infinity, high: Infinity, shape: [1] });
  readonly actionSpace = new Box({ low: -Infinity, high: Infinity, shape: [2] });
  reset() {
    return { obs: new Float32Array(1), info: {} };
  }
  step(): StepResult<Float32Array> {
    return { obs: new Float32Array(1), reward: 0, terminated: false, truncated: false, info: {} };
  }
}

describe('TimeLimit', () => {
  it('truncates on the maxEpisodeSteps-th step and restarts the count on reset', () => {
    const env = new TimeLimit(new WalkEnv(), 3);
    env.reset();
    expect(env.step(1).truncated).toBe(false);
    expect(env.step(1).truncated).toBe(false);
    const third = env.step(1);
    expect(third.truncated).toBe(true);
    expect(third.terminated).toBe(false);
    expect(env.elapsed).toBe(3);
    env.reset();
    expect(env.elapsed).toBe(0);
    expect(env.step(0).truncated).toBe(false);
  });

  it('reports termination and truncation together when both happen on the last step', () => {
    const env = new TimeLimit(new WalkEnv(2), 2);
    env.reset();
    env.step(1);
    const last = env.step(1);
    expect(last.terminated).toBe(true);
    expect(last.truncated).toBe(true);
  });

  it('rejects a non-positive or fractional limit', () => {
    expect(() => new TimeLimit(new WalkEnv(), 0)).toThrow('TimeLimit needs a positive integer maxEpisodeSteps, got 0');
    expect(() => new TimeLimit(new WalkEnv(), 2.5)).toThrow(/got 2.5/);
  });
});

describe('OrderEnforcing', () => {
  it('refuses step before reset, naming the env', () => {
    const env = new OrderEnforcing(new WalkEnv());
    expect(() => env.step(1)).toThrow(ResetNeededError);
    expect(() => env.step(1)).toThrow('WalkEnv: step() was called before reset(). Call reset() first.');
    expect(env.hasBeenReset).toBe(false);
  });

  it('refuses step after termination until the next reset', () => {
    const inner = new WalkEnv(1);
    const env = new OrderEnforcing(inner);
    env.reset();
    expect(env.step(1).terminated).toBe(true);
    expect(() => env.step(0)).toThrow(/WalkEnv: step\(\) was called after the episode ended \(terminated or truncated\)/);
    expect(inner.steps).toBe(1);
    env.reset();
    expect(() => env.step(0)).not.toThrow();
  });

  it('sees truncation by an inner time limit', () => {
    const env = new OrderEnforcing(new TimeLimit(new WalkEnv(), 2));
    env.reset();
    env.step(0);
    expect(env.step(0).truncated).toBe(true);
    expect(() => env.step(0)).toThrow(ResetNeededError);
  });

  it('refuses render before reset unless that check is disabled', () => {
    expect(() => new OrderEnforcing(new WalkEnv()).render()).toThrow('WalkEnv: render() was called before reset(). Call reset() first.');
    // the inner env has no renderer, so getting past the order check reaches its own error
    expect(() => new OrderEnforcing(new WalkEnv(), { disableRenderOrderEnforcing: true }).render()).toThrow(/does not support rendering/);
  });
});

describe('ActionChecker', () => {
  const make = () => {
    const env = new ActionChecker(new WalkEnv());
    env.reset();
    return env;
  };

  it('passes actions in the space through', () => {
    const env = make();
    expect(env.step(1).obs).toBe(1);
    expect(env.step(-1).obs).toBe(0);
  });

  it('rejects out-of-range actions, naming the env, the space and the value', () => {
    let error: unknown;
    try {
      make().step(2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidActionError);
    const message = (error as Error).message;
    expect(message).toContain('WalkEnv');
    expect(message).toContain('Discrete(3, start=-1)');
    expect(message).toContain('2 is not one of -1, 0, 1');
    expect((error as InvalidActionError).code).toBe('INVALID_ACTION');
  });

  it('rejects actions of the wrong type', () => {
    expect(() => make().step('1' as never)).toThrow(/Invalid action "1" for WalkEnv: .*Discrete\(3, start=-1\)/);
    expect(() => make().step([1] as never)).toThrow(/Invalid action \[1\] for WalkEnv/);
    expect(() => make().step(0.5)).toThrow(/Invalid action 0.5 for WalkEnv/);
  });

  it('rejects NaN and infinite actions', () => {
    expect(() => make().step(NaN)).toThrow(/Invalid action NaN for WalkEnv: the action NaN is not a finite number/);
    expect(() => make().step(Infinity)).toThrow(/the action Infinity is not a finite number/);
    const box = new ActionChecker(new ForceEnv());
    expect(() => box.step(new Float32Array([0, NaN]))).toThrow(/element 1 is NaN, not a finite number\. The action space is Box\(-inf, inf, \(2,\), float32\)/);
  });

  it('rejects infinite actions even where the Box is unbounded', () => {
    const env = new ActionChecker(new ForceEnv());
    expect(() => env.step(new Float32Array([1, 2]))).not.toThrow();
    expect(() => env.step(new Float32Array([Infinity, 0]))).toThrow(/ForceEnv: element 0 is Infinity, not a finite number/);
  });

  it('rejects wrongly sized arrays', () => {
    const env = new ActionChecker(new ForceEnv());
    expect(() => env.step(new Float32Array(3))).toThrow(/expected 2 values for Box\(-inf, inf, \(2,\), float32\), got 3/);
  });
});
