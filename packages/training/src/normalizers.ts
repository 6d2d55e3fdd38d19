import { RunningMeanStd, type RunningMeanStdState } from '@rlft/core';

/**
 * Batched observation normalisation (SB3's VecNormalize / Gymnasium's NormalizeObservation
 * over N envs): running mean/variance over every observation seen while training,
 * clip((obs − mean) / √(var + ε), ±clip). The statistics are saved with the policy, which
 * applies the same transform when it acts later.
 */
export class ObservationNormalizer {
  readonly rms: RunningMeanStd;
  readonly clip: number;
  readonly epsilon: number;
  private readonly batchMean: Float64Array;
  private readonly batchVar: Float64Array;

  constructor(size: number, options: { clip?: number; epsilon?: number } = {}) {
    this.rms = new RunningMeanStd(size);
    this.clip = options.clip ?? 10;
    this.epsilon = options.epsilon ?? 1e-8;
    this.batchMean = new Float64Array(size);
    this.batchVar = new Float64Array(size);
  }

  /** Merge a batch of `batch` observations (row-major [batch, size]) into the statistics. */
  update(obs: ArrayLike<number>, batch: number): void {
    const size = this.rms.size;
    this.batchMean.fill(0);
    this.batchVar.fill(0);
    for (let b = 0; b < batch; b++) for (let j = 0; j < size; j++) this.batchMean[j] += obs[b * size + j];
    for (let j = 0; j < size; j++) this.batchMean[j] /= batch;
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < size; j++) {
        const d = obs[b * size + j] - this.batchMean[j];
        this.batchVar[j] += d * d;
      }
    }
    for (let j = 0; j < size; j++) this.batchVar[j] /= batch;
    this.rms.updateFromMoments(this.batchMean, this.batchVar, batch);
  }

  /** Write the normalised batch into `out` (may be `obs` itself). */
  normalize(obs: ArrayLike<number>, batch: number, out: Float32Array): Float32Array {
    const size = this.rms.size;
    const { mean, clip, epsilon } = this;
    const variance = this.rms.var;
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < size; j++) {
        const k = b * size + j;
        const z = (obs[k] - mean[j]) / Math.sqrt(variance[j] + epsilon);
        out[k] = z > clip ? clip : z < -clip ? -clip : z;
      }
    }
    return out;
  }

  get mean(): Float64Array {
    return this.rms.mean;
  }

  getState(): RunningMeanStdState {
    return this.rms.getState();
  }

  setState(state: RunningMeanStdState): void {
    this.rms.setState(state);
  }
}

/**
 * Batched reward scaling (SB3's VecNormalize): each env keeps a discounted return
 * G ← γ·G·(1 − terminated) + r; one running variance over all envs' returns scales rewards
 * to r / √(var + ε), clipped.
 */
export class RewardNormalizer {
  readonly rms = new RunningMeanStd(1);
  readonly gamma: number;
  readonly clip: number;
  readonly epsilon: number;
  private readonly discounted: Float64Array;
  private readonly batchMean = new Float64Array(1);
  private readonly batchVar = new Float64Array(1);

  constructor(numEnvs: number, options: { gamma?: number; clip?: number; epsilon?: number } = {}) {
    this.gamma = options.gamma ?? 0.99;
    this.clip = options.clip ?? 10;
    this.epsilon = options.epsilon ?? 1e-8;
    this.discounted = new Float64Array(numEnvs);
  }

  /** Normalise `rewards` in place (updating the statistics with this step's returns). */
  normalize(rewards: Float32Array | Float64Array, terminations: ArrayLike<number>): void {
    const n = this.discounted.length;
    let mean = 0;
    for (let i = 0; i < n; i++) {
      this.discounted[i] = this.discounted[i] * this.gamma * (terminations[i] ? 0 : 1) + rewards[i];
      mean += this.discounted[i];
    }
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (this.discounted[i] - mean) ** 2;
    this.batchMean[0] = mean;
    this.batchVar[0] = variance / n;
    this.rms.updateFromMoments(this.batchMean, this.batchVar, n);
    const scale = 1 / Math.sqrt(this.rms.var[0] + this.epsilon);
    for (let i = 0; i < n; i++) {
      const r = rewards[i] * scale;
      rewards[i] = r > this.clip ? this.clip : r < -this.clip ? -this.clip : r;
    }
  }

  getState(): RunningMeanStdState & { discounted: number[] } {
    return { ...this.rms.getState(), discounted: Array.from(this.discounted) };
  }

  setState(state: RunningMeanStdState & { discounted?: number[] }): void {
    this.rms.setState(state);
    if (state.discounted) this.discounted.set(state.discounted);
  }
}
