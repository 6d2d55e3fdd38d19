import { describe, expect, it } from 'vitest';
import { checkEnv, EnvCheckError } from './checker.js';
import { Env, type RenderResult, type ResetOptions, type StepResult } from './env.js';
import { EnvRegistry } from './registry.js';
import { Box } from './spaces/box.js';
import { Discrete } from './spaces/discrete.js';
import { Space } from './spaces/space.js';

/** A small, correct env: a noisy walk whose randomness all comes from env.rng. */
class NoisyWalkEnv extends Env<Float32Array, number> {
  readonly observationSpace = new Box({ low: -100, high: 100, shape: [2] });
  readonly actionSpace = new Discrete(2);
  protected position = 0;
  protected t = 0;

  constructor() {
    super();
    this.metadata = { renderModes: ['ansi', 'rgb_array'] };
  }

  reset(options: ResetOptions = {}) {
    this.seedOnReset(options.seed);
    this.position = this.rng.uniform(-1, 1);
    this.t = 0;
    return { obs: this.observe(), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    this.position += (action === 1 ? 1 : -1) * 0.5 + this.rng.normal(0, 0.1);
    this.t++;
    return { obs: this.observe(), reward: -Math.abs(this.position), terminated: this.t >= 7, truncated: false, info: { t: this.t } };
  }

  override render(): RenderResult {
    if (this.renderMode === 'ansi') return `x=${this.position.toFixed(2)}`;
    return { width: 4, height: 2, data: new Uint8Array(4 * 2 * 3) };
  }

  protected observe(): Float32Array {
    return new Float32Array([this.position, this.t]);
  }
}

async function failure(make: () => Env | Promise<Env>, options = {}): Promise<EnvCheckError> {
  try {
    await checkEnv(make, { steps: 20, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(EnvCheckError);
    return error as EnvCheckError;
  }
  throw new Error('checkEnv passed, but a failure was expected');
}

describe('checkEnv', () => {
  it('passes a correct env, made synchronously or asynchronously', async () => {
    await expect(checkEnv(() => new NoisyWalkEnv(), { seed: 3, steps: 30 })).resolves.toBeUndefined();
    await expect(checkEnv(async () => new NoisyWalkEnv())).resolves.toBeUndefined();
  });

  it('passes an env made through the registry, whose order checks forbid stepping past the end', async () => {
    const registry = new EnvRegistry();
    registry.register({ id: 'NoisyWalk-v0', entryPoint: () => new NoisyWalkEnv(), maxEpisodeSteps: 5 });
    await expect(checkEnv(() => registry.make('NoisyWalk-v0'), { steps: 40 })).resolves.toBeUndefined();
  });

  it('fails an env whose randomness does not come from the seeded generator, naming env and check', async () => {
    let instances = 0;
    class DriftingEnv extends NoisyWalkEnv {
      private readonly offset = instances++;
      override step(action: number) {
        const result = super.step(action);
        result.reward += this.offset;
        return result;
      }
    }
    const error = await failure(() => new DriftingEnv());
    expect(error.check).toBe('step determinism');
    expect(error.envId).toBe('DriftingEnv');
    expect(error.message).toMatch(/^checkEnv\(DriftingEnv\) failed the step determinism check: two fresh envs reset with seed 0 .* differ in reward at step 0: /);
  });

  it('skips the determinism comparison when the spec says nondeterministic', async () => {
    let instances = 0;
    class DriftingEnv extends NoisyWalkEnv {
      private readonly offset = instances++;
      override step(action: number) {
        const result = super.step(action);
        result.reward += this.offset;
        return result;
      }
    }
    const registry = new EnvRegistry();
    registry.register({ id: 'Drifting-v0', entryPoint: () => new DriftingEnv(), nondeterministic: true });
    await expect(checkEnv(() => registry.make('Drifting-v0'))).resolves.toBeUndefined();
  });

  it('fails an env that ignores the reset seed', async () => {
    let resets = 0;
    class UnseededEnv extends NoisyWalkEnv {
      override reset() {
        this.position = resets++ * 0.01;
        this.t = 0;
        return { obs: this.observe(), info: {} };
      }
    }
    const error = await failure(() => new UnseededEnv());
    expect(error.check).toBe('reset determinism');
    expect(error.message).toContain('two resets with seed 0 gave different first observations: element 0 is 0 vs');
  });

  it('fails observations outside the space or of the wrong dtype', async () => {
    class EscapingEnv extends NoisyWalkEnv {
      override step(action: number) {
        const result = super.step(action);
        if (this.t === 3) result.obs[0] = 1000;
        return result;
      }
    }
    const outside = await failure(() => new EscapingEnv());
    expect(outside.message).toContain('the observation from step 2 is not in Box(-100.0, 100.0, (2,), float32): element 0 = 1000 is outside [-100, 100]');

    class DoubleEnv extends NoisyWalkEnv {
      protected override observe() {
        return new Float64Array([this.position, this.t]) as unknown as Float32Array;
      }
    }
    const dtype = await failure(() => new DoubleEnv());
    expect(dtype.check).toBe('reset');
    expect(dtype.message).toContain('the observation must be a Float32Array for Box(-100.0, 100.0, (2,), float32), got Float64Array[');
  });

  it('fails wrong step and reset result types', async () => {
    class NaNRewardEnv extends NoisyWalkEnv {
      override step(action: number) {
        return { ...super.step(action), reward: NaN };
      }
    }
    expect((await failure(() => new NaNRewardEnv())).message).toContain('step 0: reward must be a finite number, got NaN');

    class NumericFlagsEnv extends NoisyWalkEnv {
      override step(action: number) {
        return { ...super.step(action), terminated: 0 as unknown as boolean };
      }
    }
    expect((await failure(() => new NumericFlagsEnv())).message).toContain('step 0: terminated must be a boolean, got 0');

    class NullInfoEnv extends NoisyWalkEnv {
      override step(action: number) {
        return { ...super.step(action), info: null as never };
      }
    }
    expect((await failure(() => new NullInfoEnv())).message).toContain('the info from step 0 must be a plain object, got null');

    class TupleResetEnv extends NoisyWalkEnv {
      override reset(options?: ResetOptions) {
        const { obs, info } = super.reset(options);
        return [obs, info] as never;
      }
    }
    expect((await failure(() => new TupleResetEnv())).message).toMatch(/reset\(\) must return \{ obs, info \}, got \[/);

    class MissingFieldEnv extends NoisyWalkEnv {
      override step(action: number) {
        const { obs, reward, terminated, info } = super.step(action);
        return { obs, reward, terminated, info } as never;
      }
    }
    expect((await failure(() => new MissingFieldEnv())).message).toContain("step() result has no 'truncated'");
  });

  it('fails an env that reuses the memory of observations it handed out', async () => {
    class BufferReusingEnv extends NoisyWalkEnv {
      private readonly buffer = new Float32Array(2);
      protected override observe() {
        this.buffer[0] = this.position;
        this.buffer[1] = this.t;
        return this.buffer;
      }
    }
    const error = await failure(() => new BufferReusingEnv());
    expect(error.check).toBe('observation ownership');
    expect(error.message).toContain('the observation returned by reset #0 was changed by later calls');
  });

  it('fails spaces that are not Space instances or do not survive JSON', async () => {
    class PlainSpaceEnv extends NoisyWalkEnv {
      override readonly actionSpace = { n: 2 } as never;
    }
    const plain = await failure(() => new PlainSpaceEnv());
    expect(plain.check).toBe('action space');
    expect(plain.message).toContain('expected a Space instance (Box, Discrete, …) from @rlft/core, got {"n":2}');

    class Cone extends Space<number> {
      readonly type = 'Cone';
      sample() {
        return 0;
      }
      contains(value: unknown): value is number {
        return value === 0;
      }
      toJSON() {
        return { type: 'Cone' } as never;
      }
      toString() {
        return 'Cone()';
      }
    }
    class ConeEnv extends NoisyWalkEnv {
      override readonly observationSpace = new Cone() as never;
    }
    const custom = await failure(() => new ConeEnv());
    expect(custom.check).toBe('observation space JSON round trip');
    expect(custom.message).toContain('Cone() could not be written and read back: Unknown space type "Cone"');
  });

  it('samples Discrete actions within info.action_mask', async () => {
    class MaskedEnv extends NoisyWalkEnv {
      override readonly actionSpace = new Discrete(4);
      override reset(options?: ResetOptions) {
        return { ...super.reset(options), info: { action_mask: new Int8Array([0, 1, 0, 1]) } };
      }
      override step(action: number) {
        if (action !== 1 && action !== 3) throw new Error(`illegal action ${action}`);
        return { ...super.step(action), info: { action_mask: new Int8Array([0, 1, 0, 1]) } };
      }
    }
    await expect(checkEnv(() => new MaskedEnv(), { steps: 30 })).resolves.toBeUndefined();
  });

  it('reports exceptions from the env with the check and the action', async () => {
    class ThrowingEnv extends NoisyWalkEnv {
      override step(action: number): StepResult<Float32Array> {
        if (this.t === 2) throw new Error('physics exploded');
        return super.step(action);
      }
    }
    const error = await failure(() => new ThrowingEnv());
    expect(error.message).toMatch(/failed the step check: step 2 with action [01] threw: physics exploded/);
    expect((error.cause as Error).message).toBe('physics exploded');

    const creation = await failure(() => {
      throw new Error('no such model file');
    });
    expect(creation.check).toBe('creation');
    expect(creation.message).toContain('makeEnv() threw: no such model file');
  });

  it('renders in each declared mode and checks the kind of result', async () => {
    class BadAnsiEnv extends NoisyWalkEnv {
      override render(): RenderResult {
        return this.renderMode === 'ansi' ? (42 as never) : super.render();
      }
    }
    const ansi = await failure(() => new BadAnsiEnv());
    expect(ansi.check).toBe("render 'ansi'");
    expect(ansi.message).toContain('render() after reset must return a string, got 42');

    class ShortFrameEnv extends NoisyWalkEnv {
      override render(): RenderResult {
        return this.renderMode === 'rgb_array' ? { width: 4, height: 2, data: new Uint8Array(8) } : super.render();
      }
    }
    const rgb = await failure(() => new ShortFrameEnv());
    expect(rgb.check).toBe("render 'rgb_array'");
    expect(rgb.message).toContain('returned 8 bytes for a 4×2 frame; expected 24');
    await expect(checkEnv(() => new ShortFrameEnv(), { skipRenderCheck: true })).resolves.toBeUndefined();

    class UndeclaredModeEnv extends NoisyWalkEnv {
      constructor() {
        super();
        this.renderMode = 'human';
      }
    }
    expect((await failure(() => new UndeclaredModeEnv())).message).toContain("renderMode 'human' is not among metadata.renderModes (ansi, rgb_array)");
  });

  it('validates its own options', async () => {
    await expect(checkEnv(() => new NoisyWalkEnv(), { steps: 0 })).rejects.toThrow('checkEnv steps must be a positive integer, got 0');
    await expect(checkEnv(() => new NoisyWalkEnv(), { seed: 0.5 })).rejects.toThrow(/seed must be a safe integer/);
  });
});
