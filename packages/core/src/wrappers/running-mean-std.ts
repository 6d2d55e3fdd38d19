/** Serialisable statistics of a {@link RunningMeanStd}, for checkpoints. */
export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

/**
 * Running mean and (population) variance of a stream of vectors, merged batch by batch with
 * the parallel formula of Chan et al. (Gymnasium's `RunningMeanStd`). The statistics start
 * from mean 0, variance 1 and a tiny count, so the first normalised values are finite.
 */
export class RunningMeanStd {
  readonly size: number;
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count: number;

  constructor(size: number, epsilon = 1e-4) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`RunningMeanStd needs a positive integer size, got ${size}`);
    this.size = size;
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = epsilon;
  }

  /** Merge one sample (a batch of one: its mean is the sample, its variance 0). */
  update(sample: ArrayLike<number>): void {
    this.checkLength(sample.length, 'sample');
    const total = this.count + 1;
    for (let i = 0; i < this.size; i++) {
      const delta = sample[i] - this.mean[i];
      this.mean[i] += delta / total;
      this.var[i] = (this.var[i] * this.count + (delta * delta * this.count) / total) / total;
    }
    this.count = total;
  }

  /** Merge a batch summarised by its per-element mean, population variance and size. */
  updateFromMoments(batchMean: ArrayLike<number>, batchVar: ArrayLike<number>, batchCount: number): void {
    this.checkLength(batchMean.length, 'batch mean');
    this.checkLength(batchVar.length, 'batch variance');
    if (!(batchCount > 0)) throw new RangeError(`batchCount must be positive, got ${batchCount}`);
    const total = this.count + batchCount;
    for (let i = 0; i < this.size; i++) {
      const delta = batchMean[i] - this.mean[i];
      this.mean[i] += (delta * batchCount) / total;
      const m2 = this.var[i] * this.count + batchVar[i] * batchCount + (delta * delta * this.count * batchCount) / total;
      this.var[i] = m2 / total;
    }
    this.count = total;
  }

  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  setState(state: RunningMeanStdState): void {
    this.checkLength(state.mean?.length, 'state mean');
    this.checkLength(state.var?.length, 'state variance');
    if (!(state.count > 0) || !Number.isFinite(state.count)) throw new RangeError(`state count must be a positive number, got ${state.count}`);
    for (let i = 0; i < this.size; i++) {
      if (!Number.isFinite(state.mean[i]) || !(state.var[i] >= 0) || !Number.isFinite(state.var[i])) {
        throw new RangeError(`state entry ${i} is not a finite mean with a non-negative variance (mean ${state.mean[i]}, var ${state.var[i]})`);
      }
    }
    this.mean.set(state.mean);
    this.var.set(state.var);
    this.count = state.count;
  }

  private checkLength(length: number | undefined, what: string): void {
    if (length !== this.size) throw new RangeError(`RunningMeanStd of size ${this.size} got a ${what} of length ${length}`);
  }
}
