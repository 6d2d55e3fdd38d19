import { createBatcher, flatDim, flatten, isFloatDType, type Space, type SpaceBatcher } from '@rlft/core';

/**
 * Turns a vector env's batched observations into the network's input: a Float32Array of
 * [numEnvs, obsDim]. Float Box batches are copied straight; other spaces (Discrete one-hot,
 * Dict, …) go through core's `flatten` env by env.
 */
export class ObservationFlattener {
  readonly obsDim: number;
  readonly numEnvs: number;
  private readonly space: Space;
  private readonly batcher: SpaceBatcher;
  private readonly direct: boolean;
  private readonly scratch: Float32Array | Float64Array;

  constructor(space: Space, numEnvs: number) {
    this.space = space;
    this.numEnvs = numEnvs;
    this.obsDim = flatDim(space);
    this.batcher = createBatcher(space, numEnvs);
    const flat = this.batcher.flat;
    this.direct = space.type === 'Box' && flat !== undefined && isFloatDType(flat.dtype);
    this.scratch = new Float64Array(this.obsDim);
  }

  /** Write all envs' observations into `out` ([numEnvs, obsDim]). */
  flattenBatch(batch: unknown, out: Float32Array): Float32Array {
    if (this.direct) {
      out.set(batch as Float32Array);
      return out;
    }
    for (let i = 0; i < this.numEnvs; i++) this.flattenOne(this.batcher.read(batch, i), out, i * this.obsDim);
    return out;
  }

  /** Flatten one env's observation (e.g. a final observation from `infos.final_obs`) into `out` at `offset`. */
  flattenOne(value: unknown, out: Float32Array, offset = 0): Float32Array {
    if (this.direct) {
      const values = value as ArrayLike<number>;
      for (let j = 0; j < this.obsDim; j++) out[offset + j] = values[j];
      return out;
    }
    const flat = flatten(this.space, value, this.scratch as Float64Array);
    for (let j = 0; j < this.obsDim; j++) out[offset + j] = flat[j];
    return out;
  }
}
