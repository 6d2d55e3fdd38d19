import type { Env, StepResult } from '../env.js';
import { UnsupportedError } from '../errors.js';
import { Box } from '../spaces/box.js';
import { isFloatDType, type DType, type TypedArrayOf } from '../spaces/dtype.js';
import { Wrapper } from '../wrapper.js';
import { requireActionArray, requireBoxActions } from './box-action.js';

/**
 * Lets the agent act in [minAction, maxAction] and maps actions affinely onto the inner env's
 * bounds [low, high] (Gymnasium's `RescaleAction`): a = low + (high − low)·(x − min)/(max − min),
 * then clipped into [low, high]. Bounds are scalars or one value per element.
 */
export class RescaleAction<Obs> extends Wrapper<Obs, ArrayLike<number>, Obs, TypedArrayOf<DType>> {
  readonly minAction: Float64Array;
  readonly maxAction: Float64Array;
  private readonly innerSpace: Box<DType>;
  private readonly outerSpace: Box<DType>;
  private readonly gradient: Float64Array;
  private readonly intercept: Float64Array;
  // Reused for every step: environments read actions during step() and do not keep them.
  private readonly rescaled: TypedArrayOf<DType>;

  constructor(env: Env<Obs, TypedArrayOf<DType>>, minAction: number | ArrayLike<number>, maxAction: number | ArrayLike<number>) {
    super(env);
    const inner = requireBoxActions(env as Env, 'RescaleAction');
    if (!isFloatDType(inner.dtype)) {
      throw new UnsupportedError(`RescaleAction needs a floating-point action space; ${env.id} has ${inner.toString()}`);
    }
    if (!inner.isBounded()) {
      throw new UnsupportedError(`RescaleAction needs finite action bounds; ${env.id} has ${inner.toString()}`);
    }
    this.innerSpace = inner;
    this.minAction = broadcastBound(minAction, inner.size, 'minAction');
    this.maxAction = broadcastBound(maxAction, inner.size, 'maxAction');
    this.gradient = new Float64Array(inner.size);
    this.intercept = new Float64Array(inner.size);
    for (let i = 0; i < inner.size; i++) {
      if (!(this.minAction[i] < this.maxAction[i])) {
        throw new RangeError(`RescaleAction needs minAction < maxAction in every element; element ${i} has [${this.minAction[i]}, ${this.maxAction[i]}]`);
      }
      this.gradient[i] = (inner.high[i] - inner.low[i]) / (this.maxAction[i] - this.minAction[i]);
      this.intercept[i] = inner.low[i] - this.gradient[i] * this.minAction[i];
    }
    this.outerSpace = new Box({ low: this.minAction, high: this.maxAction, shape: inner.shape, dtype: inner.dtype });
    this.rescaled = inner.zeros();
  }

  override get actionSpace(): Box<DType> {
    return this.outerSpace;
  }

  override step(action: ArrayLike<number>): StepResult<Obs> {
    const values = requireActionArray(this.id, this.outerSpace, action);
    const { low, high } = this.innerSpace;
    for (let i = 0; i < values.length; i++) {
      const a = this.gradient[i] * values[i] + this.intercept[i];
      // Rounding may step just past a bound; NaN passes through and is rejected further in.
      this.rescaled[i] = a < low[i] ? low[i] : a > high[i] ? high[i] : a;
    }
    return this.env.step(this.rescaled);
  }
}

function broadcastBound(bound: number | ArrayLike<number>, size: number, name: string): Float64Array {
  const out = new Float64Array(size);
  if (typeof bound === 'number') out.fill(bound);
  else if (bound.length !== size) throw new RangeError(`RescaleAction ${name} has ${bound.length} values, the action space has ${size}`);
  else out.set(Array.from(bound));
  for (let i = 0; i < size; i++) {
    if (!Number.isFinite(out[i])) throw new RangeError(`RescaleAction ${name}[${i}] must be finite, got ${out[i]}`);
  }
  return out;
}
