import type { Env, StepResult } from '../env.js';
import { Wrapper } from '../wrapper.js';
import { RunningMeanStd, type RunningMeanStdState } from './running-mean-std.js';

export interface NormalizeRewardOptions {
  /** Discount of the return whose variance scales rewards (default 0.99). */
  gamma?: number;
  /** Added to the variance before the square root (default 1e-8). */
  epsilon?: number;
}

/**
 * Scales rewards so that the discounted return has roughly unit variance (Gymnasium's
 * `NormalizeReward`): r' = r / sqrt(Var[G] + ε), with G ← γ·G·(1 − terminated) + r kept across
 * steps. As in Gymnasium, a terminating step drops the earlier return (its own reward stays in
 * G), truncation and reset keep it, and the mean is not subtracted (that would change which
 * policies are optimal). Set
 * `updateRunningMean = false` to freeze the statistics; `returnRms` and `discountedReward`
 * save and restore them.
 */
export class NormalizeReward<Obs, Act> extends Wrapper<Obs, Act> {
  readonly gamma: number;
  readonly epsilon: number;
  /** Whether new rewards update the statistics. */
  updateRunningMean = true;
  /** The running discounted return G. */
  discountedReward = 0;
  private readonly rms = new RunningMeanStd(1);
  private readonly sample = new Float64Array(1);

  constructor(env: Env<Obs, Act>, options: NormalizeRewardOptions = {}) {
    super(env);
    const gamma = options.gamma ?? 0.99;
    if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`NormalizeReward gamma must be in [0, 1], got ${gamma}`);
    this.gamma = gamma;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** Statistics of the discounted return, as plain numbers (a copy; `mean` and `var` have one entry). */
  get returnRms(): RunningMeanStdState {
    return this.rms.getState();
  }

  set returnRms(state: RunningMeanStdState) {
    this.rms.setState(state);
  }

  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    this.discountedReward = this.discountedReward * this.gamma * (result.terminated ? 0 : 1) + result.reward;
    if (this.updateRunningMean) {
      this.sample[0] = this.discountedReward;
      this.rms.update(this.sample);
    }
    result.reward = result.reward / Math.sqrt(this.rms.var[0] + this.epsilon);
    return result;
  }
}
