import { jit, valueAndGrad, numpy as np } from '@jax-js/jax';
import type { Adam, AdamState } from './optim.js';
import { clipByGlobalNorm } from './optim.js';
import { refTree, type ParamTree, type TreeLike } from './tree.js';

/** Scalar diagnostics a loss reports next to its value (e.g. `approx_kl`, `clipfrac`). */
export type LossAux = Record<string, np.Array>;

/** A loss of parameters and a batch: returns the scalar loss and its diagnostics. Consumes its arguments. */
export type LossFunction<P extends TreeLike, Batch> = (params: P, batch: Batch) => [np.Array, LossAux];

export interface TrainStepResult<P extends TreeLike> {
  params: P;
  state: AdamState<P>;
  /** `loss`, `grad_norm` (global norm before clipping) and every diagnostic of the loss, as host numbers. */
  metrics: Record<string, number>;
}

export interface TrainStepOptions {
  /** Clip the gradient's global norm to this (CleanRL's max_grad_norm); omit for no clipping. */
  maxGradNorm?: number;
}

/**
 * One compiled optimisation step: loss, gradient, optional global-norm clipping and the
 * optimizer update fused into a single `jit` (each kernel launch costs, so one call per step).
 * The loss, the gradient norm and the diagnostics leave the engine as one stacked array read
 * once per step (every read is a synchronisation). Consumes params, state, the per-step
 * scalars and the batch; returns new ones.
 */
export function makeTrainStep<P extends TreeLike, Batch>(
  loss: LossFunction<P, Batch>,
  optimizer: Adam,
  options: TrainStepOptions = {},
): (params: P, state: AdamState<P>, scalars: np.Array, batch: Batch) => TrainStepResult<P> {
  const { maxGradNorm } = options;
  // Fixed while tracing: the names of the stacked metrics, in order.
  let metricNames: string[] = [];
  const step = (params: P, state: AdamState<P>, scalars: np.Array, batch: Batch) => {
    const [[lossValue, aux], grads] = valueAndGrad(loss, { hasAux: true })(refTree(params) as never, batch as never) as unknown as [[np.Array, LossAux], P];
    let clipped: P;
    let gradNorm: np.Array;
    if (maxGradNorm !== undefined) {
      [clipped, gradNorm] = clipByGlobalNorm(grads, maxGradNorm);
    } else {
      clipped = grads;
      gradNorm = np.zeros([]);
    }
    const [nextParams, nextState] = optimizer.apply(params, clipped, state, scalars);
    const auxNames = Object.keys(aux).sort();
    metricNames = ['loss', 'grad_norm', ...auxNames];
    const metrics = np.stack([lossValue, gradNorm, ...auxNames.map((name) => aux[name].reshape([]))]);
    return { params: nextParams, state: nextState, metrics };
  };
  const compiled = jit(step as never) as unknown as (params: P, state: AdamState<P>, scalars: np.Array, batch: Batch) => { params: P; state: AdamState<P>; metrics: np.Array };
  return (params, state, scalars, batch) => {
    const out = compiled(params, state, scalars, batch);
    const values = out.metrics.dataSync() as ArrayLike<number>;
    const metrics: Record<string, number> = {};
    metricNames.forEach((name, i) => (metrics[name] = values[i]));
    return { params: out.params, state: out.state, metrics };
  };
}
