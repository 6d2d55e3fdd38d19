import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { UnsupportedError } from '../errors.js';
import { Box } from '../spaces/box.js';
import { isNumericArrayLike } from '../spaces/dtype.js';
import { MultiBinary } from '../spaces/multi-binary.js';
import { MultiDiscrete } from '../spaces/multi-discrete.js';
import { describeValue } from '../spaces/space.js';
import { Wrapper } from '../wrapper.js';
import { RunningMeanStd, type RunningMeanStdState } from './running-mean-std.js';

export interface NormalizeObservationOptions {
  /** Added to the variance before the square root (default 1e-8). */
  epsilon?: number;
}

/**
 * Normalises each observation element to roughly zero mean and unit variance with running
 * statistics (Gymnasium's `NormalizeObservation`): obs' = (obs − mean) / sqrt(var + ε), as
 * float32. The statistics include every observation seen, reset observations too, updated
 * before normalising. Set `updateRunningMean = false` to freeze them (evaluation), and use
 * `obsRms` to save and restore them with a checkpoint.
 */
export class NormalizeObservation<Act> extends Wrapper<Float32Array, Act, ArrayLike<number>, Act> {
  readonly epsilon: number;
  /** Whether new observations update the statistics. */
  updateRunningMean = true;
  private readonly rms: RunningMeanStd;
  private readonly space: Box<'float32'>;

  constructor(env: Env<ArrayLike<number>, Act>, options: NormalizeObservationOptions = {}) {
    super(env);
    const inner = env.observationSpace;
    if (!(inner instanceof Box || inner instanceof MultiBinary || inner instanceof MultiDiscrete)) {
      throw new UnsupportedError(
        `NormalizeObservation needs numeric-array observations (Box, MultiBinary or MultiDiscrete); ${env.id} has ${inner.toString()}. Wrap it in FlattenObservation first.`,
      );
    }
    this.epsilon = options.epsilon ?? 1e-8;
    const shape = inner instanceof MultiDiscrete ? [inner.size] : inner.shape;
    this.space = new Box({ low: -Infinity, high: Infinity, shape, dtype: 'float32' });
    this.rms = new RunningMeanStd(this.space.size);
  }

  override get observationSpace(): Box<'float32'> {
    return this.space;
  }

  /** The running statistics, as plain numbers (a copy). */
  get obsRms(): RunningMeanStdState {
    return this.rms.getState();
  }

  set obsRms(state: RunningMeanStdState) {
    this.rms.setState(state);
  }

  override reset(options?: ResetOptions): ResetResult<Float32Array> {
    const { obs, info } = this.env.reset(options);
    return { obs: this.normalize(obs), info };
  }

  override step(action: Act): StepResult<Float32Array> {
    const result = this.env.step(action) as unknown as StepResult<unknown>;
    result.obs = this.normalize(result.obs as ArrayLike<number>);
    return result as StepResult<Float32Array>;
  }

  private normalize(obs: ArrayLike<number>): Float32Array {
    if (!isNumericArrayLike(obs) || obs.length !== this.rms.size) {
      throw new TypeError(`NormalizeObservation: ${this.id} returned ${describeValue(obs)}, expected ${this.rms.size} numbers`);
    }
    if (this.updateRunningMean) this.rms.update(obs);
    // A fresh array each time: callers may keep observations (replay buffers, datasets).
    const out = new Float32Array(obs.length);
    const { mean, var: variance } = this.rms;
    for (let i = 0; i < out.length; i++) out[i] = (obs[i] - mean[i]) / Math.sqrt(variance[i] + this.epsilon);
    return out;
  }
}
