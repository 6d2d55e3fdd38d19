import { numpy as np } from '@jax-js/jax';
import { InvalidKwargsError } from '@rlft/core';
import { mapTree, refTree, zerosLike, leavesWithPaths, type ParamTree, type TreeLike } from './tree.js';

export interface AdamConfig {
  /** Base learning rate (a schedule may scale it per step). */
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** CleanRL's PPO uses 1e-5; PyTorch's default is 1e-8. */
  eps?: number;
  /** Decoupled weight decay (AdamW); 0 is plain Adam. */
  weightDecay?: number;
}

export interface AdamState<P extends TreeLike = ParamTree> {
  m: P;
  v: P;
}

/**
 * Adam and AdamW as pure functions of arrays, so that the update fuses into the same `jit`
 * as the loss and gradient. Per-step scalars (learning rate, bias corrections) are computed
 * on the host and passed in as one small array, so schedules never trigger a recompile.
 * Matches PyTorch's `Adam`/`AdamW` update exactly (bias-corrected moments, ε outside the sqrt).
 */
export class Adam {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(config: AdamConfig) {
    const { learningRate, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 } = config;
    const problems: string[] = [];
    if (!(learningRate >= 0) || !Number.isFinite(learningRate)) problems.push(`learningRate must be a finite number ≥ 0, got ${learningRate}`);
    if (!(beta1 >= 0 && beta1 < 1)) problems.push(`beta1 must be in [0, 1), got ${beta1}`);
    if (!(beta2 >= 0 && beta2 < 1)) problems.push(`beta2 must be in [0, 1), got ${beta2}`);
    if (!(eps > 0)) problems.push(`eps must be > 0, got ${eps}`);
    if (!(weightDecay >= 0)) problems.push(`weightDecay must be ≥ 0, got ${weightDecay}`);
    if (problems.length) throw new InvalidKwargsError('Adam', problems, ['learningRate', 'beta1', 'beta2', 'eps', 'weightDecay']);
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  /** Zero moments shaped like `params` (does not consume them). */
  init<P extends TreeLike>(params: P): AdamState<P> {
    return { m: zerosLike(params), v: zerosLike(params) };
  }

  /**
   * The per-step scalars for update number `step` (1-based) at learning rate `lr`:
   * [lr / (1 − β1^t), 1 / √(1 − β2^t), lr · weightDecay]. Float64 on the host, float32 in the engine.
   */
  scalars(step: number, lr = this.learningRate): Float32Array<ArrayBuffer> {
    if (!Number.isInteger(step) || step < 1) throw new RangeError(`Adam step must be an integer ≥ 1, got ${step}`);
    return new Float32Array([lr / (1 - this.beta1 ** step), 1 / Math.sqrt(1 - this.beta2 ** step), lr * this.weightDecay]);
  }

  /**
   * One update; consumes `params`, `grads`, `state` and `scalars` (an array from `scalars()`),
   * returns the new parameters and state. Safe inside `jit`.
   */
  apply<P extends TreeLike>(params: P, grads: P, state: AdamState<P>, scalars: np.Array): [P, AdamState<P>] {
    const { beta1, beta2, eps } = this;
    const stepSize = scalars.ref.slice([0, 1]).reshape([]);
    const invSqrtBias2 = scalars.ref.slice([1, 2]).reshape([]);
    const decay = scalars.slice([2, 3]).reshape([]);
    const m = mapTree((mi, gi) => mi.mul(beta1).add(gi.mul(1 - beta1)), state.m, refTree(grads));
    const v = mapTree((vi, gi) => vi.mul(beta2).add(np.square(gi).mul(1 - beta2)), state.v, grads);
    const useDecay = this.weightDecay > 0;
    const next = mapTree(
      (pi, mi, vi) => {
        // AdamW: p ← p − lr·wd·p, then the Adam step (PyTorch's order).
        const decayed = useDecay ? pi.ref.sub(pi.mul(decay.ref)) : pi;
        return decayed.sub(mi.mul(stepSize.ref).div(np.sqrt(vi).mul(invSqrtBias2.ref).add(eps)));
      },
      params,
      refTree(m),
      refTree(v),
    );
    stepSize.dispose();
    invSqrtBias2.dispose();
    decay.dispose();
    return [next, { m, v }];
  }
}

/** √(Σ g²) over every leaf (consumes `grads`). */
export function globalNorm(grads: TreeLike): np.Array {
  const squares = leavesWithPaths(grads).map(([, leaf]) => np.sum(np.square(leaf)));
  return np.sqrt(squares.reduce((total, s) => total.add(s)));
}

/**
 * Scale gradients so that their global norm is at most `maxNorm` (PyTorch's
 * `clip_grad_norm_`: factor maxNorm / (norm + 1e-6), capped at 1). Consumes `grads`; returns
 * the clipped gradients and the norm before clipping.
 */
export function clipByGlobalNorm<P extends TreeLike>(grads: P, maxNorm: number): [P, np.Array] {
  const norm = globalNorm(refTree(grads));
  const factor = np.minimum(1, np.divide(maxNorm, norm.ref.add(1e-6)));
  const clipped = mapTree((g) => g.mul(factor.ref), grads);
  factor.dispose();
  return [clipped, norm];
}
