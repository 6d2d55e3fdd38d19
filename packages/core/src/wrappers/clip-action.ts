import type { Env, StepResult } from '../env.js';
import { Box } from '../spaces/box.js';
import type { DType, TypedArrayOf } from '../spaces/dtype.js';
import { Wrapper } from '../wrapper.js';
import { requireActionArray, requireBoxActions } from './box-action.js';

/**
 * Clips continuous actions into the inner env's Box before stepping (Gymnasium's
 * `ClipAction`). Its own action space is the unbounded Box of the same shape and dtype, so any
 * real-valued action is accepted. NaN stays NaN and is rejected further in.
 */
export class ClipAction<Obs> extends Wrapper<Obs, ArrayLike<number>, Obs, TypedArrayOf<DType>> {
  private readonly innerSpace: Box<DType>;
  private readonly unbounded: Box<DType>;
  // Reused for every step: environments read actions during step() and do not keep them.
  private readonly clipped: TypedArrayOf<DType>;

  constructor(env: Env<Obs, TypedArrayOf<DType>>) {
    super(env);
    this.innerSpace = requireBoxActions(env as Env, 'ClipAction');
    this.unbounded = new Box({ low: -Infinity, high: Infinity, shape: this.innerSpace.shape, dtype: this.innerSpace.dtype });
    this.clipped = this.innerSpace.zeros();
  }

  override get actionSpace(): Box<DType> {
    return this.unbounded;
  }

  override step(action: ArrayLike<number>): StepResult<Obs> {
    const values = requireActionArray(this.id, this.unbounded, action);
    const { low, high } = this.innerSpace;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      // Written out rather than Math.min/max so that NaN passes through unchanged.
      this.clipped[i] = v < low[i] ? low[i] : v > high[i] ? high[i] : v;
    }
    return this.env.step(this.clipped);
  }
}
