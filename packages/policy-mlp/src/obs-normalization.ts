import type { RunningMeanStdState } from '@rlft/core';
import type { HostTensors } from '@rlft/nn';
import { MlpSpecError, type ObsNormalizationSpec } from './spec.js';

/** Checkpoint tensor names of the observation statistics (the running count goes in metadata as `obsRmsCount`). */
export const OBS_RMS_MEAN = 'obs_rms.mean';
export const OBS_RMS_VAR = 'obs_rms.var';

/**
 * The frozen input transform of a policy trained on normalised observations:
 * clip((obs − mean) / √(var + ε), −clip, clip), the same formula (and float64 arithmetic) as
 * core's NormalizeObservation and the training loop's normaliser, with the clip CleanRL adds.
 */
export class ObservationNormalization {
  readonly size: number;
  readonly clip: number;
  readonly epsilon: number;
  readonly mean: Float64Array;
  /** √(var + ε) per element. */
  readonly std: Float64Array;

  constructor(mean: ArrayLike<number>, variance: ArrayLike<number>, options: ObsNormalizationSpec) {
    if (mean.length !== variance.length) {
      throw new MlpSpecError(`Observation statistics disagree: mean has ${mean.length} entries, variance ${variance.length}`);
    }
    this.size = mean.length;
    this.clip = options.clip;
    this.epsilon = options.epsilon;
    this.mean = Float64Array.from(mean);
    this.std = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      if (!Number.isFinite(mean[i]) || !(variance[i] >= 0) || !Number.isFinite(variance[i])) {
        throw new MlpSpecError(`Observation statistics entry ${i} is not a finite mean with a non-negative variance (mean ${mean[i]}, var ${variance[i]})`);
      }
      this.std[i] = Math.sqrt(variance[i] + options.epsilon);
    }
  }

  /** From a checkpoint's `obs_rms.mean` / `obs_rms.var` tensors; missing or mis-sized tensors are errors. */
  static fromTensors(tensors: HostTensors, options: ObsNormalizationSpec, obsDim: number): ObservationNormalization {
    const mean = tensors.get(OBS_RMS_MEAN);
    const variance = tensors.get(OBS_RMS_VAR);
    if (!mean || !variance) {
      throw new MlpSpecError(
        `The policy normalises observations but the checkpoint lacks ${[!mean && OBS_RMS_MEAN, !variance && OBS_RMS_VAR].filter(Boolean).join(' and ')}; save the training statistics with the parameters.`,
      );
    }
    for (const [name, tensor] of [[OBS_RMS_MEAN, mean], [OBS_RMS_VAR, variance]] as const) {
      if (tensor.data.length !== obsDim) {
        throw new MlpSpecError(`Tensor '${name}' has ${tensor.data.length} entries; the policy's observations have ${obsDim}`);
      }
    }
    return new ObservationNormalization(mean.data, variance.data, options);
  }

  /** Normalise `batch` rows of `size` values into `out` (which may be `obs` itself). */
  apply(obs: ArrayLike<number>, batch: number, out: Float32Array): Float32Array {
    const { size, mean, std, clip } = this;
    for (let b = 0; b < batch; b++) {
      const row = b * size;
      for (let j = 0; j < size; j++) {
        const z = (obs[row + j] - mean[j]) / std[j];
        out[row + j] = z > clip ? clip : z < -clip ? -clip : z;
      }
    }
    return out;
  }
}

/** The tensors to save next to the parameters for a run with normalised observations. */
export function obsRmsTensors(state: RunningMeanStdState): HostTensors {
  const shape = [state.mean.length];
  return new Map([
    [OBS_RMS_MEAN, { shape, data: Float32Array.from(state.mean) }],
    [OBS_RMS_VAR, { shape: [...shape], data: Float32Array.from(state.var) }],
  ]);
}

/** Running statistics back from checkpoint tensors and the saved count (to resume training). */
export function obsRmsStateFromTensors(tensors: HostTensors, count: number): RunningMeanStdState {
  const mean = tensors.get(OBS_RMS_MEAN);
  const variance = tensors.get(OBS_RMS_VAR);
  if (!mean || !variance) throw new MlpSpecError(`The checkpoint has no observation statistics (${OBS_RMS_MEAN}, ${OBS_RMS_VAR})`);
  return { mean: Array.from(mean.data), var: Array.from(variance.data), count };
}
