import { jit, valueAndGrad, numpy as np } from '@jax-js/jax';
import type { Adam, AdamState } from './optim.js';
import { clipByGlobalNorm } from './optim.js';
import { refTree, type ParamTree } from './tree.js';

/** Scalar diagnostics a loss reports next to its value (e.g. `approx_kl`, `clipfrac`). */
export type LossAux = Record<string, np.Array>;

/** A loss of parameters and a batch: returns the scalar loss and its diagnostics. Consumes its arguments. */
export type LossFunction<P extends ParamTree, Batch> = (params: P, batch: Batch) => [np.Array, LossAux];

export interface TrainStepResult<P extends ParamTree> {
  params: P;
  state: AdamState<P>;
  loss: np.Array;
  aux: LossAux;
  /** Global gradient norm before clipping. */
  gradNorm: np.Array;
}

export interface TrainStepOptions {
  /** Clip the gradient's global norm to this (CleanRL's max_grad_norm); omit for no clipping. */
  maxGradNorm?: number;
}

/**
 * One compiled optimisation step: loss, gradient, optional global-norm clipping and the
 * optimizer update fused into a single `jit` (each kernel launch costs, so one call per step).
 * Consumes params, state, the per-step scalars and the batch; returns new ones.
 */
export function makeTrainStep<P extends ParamTree, Batch>(
  loss: LossFunction<P, Batch>,
  optimizer: Adam,
  options: TrainStepOptions = {},
): (params: P, state: AdamState<P>, scalars: np.Array, batch: Batch) => TrainStepResult<P> {
  const { maxGradNorm } = options;
  const step = (params: P, state: AdamState<P>, scalars: np.Array, batch: Batch) => {
    const [[lossValue, aux], grads] = valueAndGrad(loss, { hasAux: true })(refTree(params) as never, batch as never);
    let clipped: P;
    let gradNorm: np.Array;
    if (maxGradNorm !== undefined) {
      [clipped, gradNorm] = clipByGlobalNorm(grads as P, maxGradNorm);
    } else {
      clipped = grads as P;
      gradNorm = np.zeros([]);
    }
    const [nextParams, nextState] = optimizer.apply(params, clipped, state, scalars);
    return { params: nextParams, state: nextState, loss: lossValue, aux, gradNorm };
  };
  return jit(step as never) as unknown as (params: P, state: AdamState<P>, scalars: np.Array, batch: Batch) => TrainStepResult<P>;
}
