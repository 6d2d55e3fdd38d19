import { describe, expect, it, beforeAll } from 'vitest';
import { numpy as np } from '@jax-js/jax';
import { initEngine } from './engine.js';
import { Adam, clipByGlobalNorm } from './optim.js';
import { makeTrainStep } from './train-step.js';
import { treeToHost } from './tree.js';
import { Rng } from '@rlft/core';

type Params = { w: np.Array; b: np.Array };
type Batch = { x: np.Array; y: np.Array };

beforeAll(async () => {
  await initEngine('wasm');
});

const mse = (p: Params, batch: Batch): [np.Array, Record<string, np.Array>] => {
  const prediction = np.matmul(batch.x, p.w).add(p.b);
  const loss = np.mean(np.square(prediction.sub(batch.y)));
  return [loss.ref, { loss_copy: loss }];
};

describe('makeTrainStep', () => {
  it('matches a hand-computed Adam step exactly (PyTorch semantics)', () => {
    const optimizer = new Adam({ learningRate: 0.1 });
    const step = makeTrainStep(mse, optimizer);
    let params: Params = { w: np.array([[1], [2]]), b: np.array([0.5]) };
    let state = optimizer.init(params);
    // x = [[1, 1]], y = [0]: prediction 3.5, loss 12.25, dL/dw = 2·3.5·x = [7, 7], dL/db = 7.
    const result = step(params, state, np.array(optimizer.scalars(1)), { x: np.array([[1, 1]]), y: np.array([[0]]) });
    params = result.params;
    state = result.state;
    expect(result.metrics.loss).toBeCloseTo(12.25, 5);
    expect(result.metrics.loss_copy).toBeCloseTo(12.25, 5);
    expect(Object.keys(result.metrics)).toEqual(['loss', 'grad_norm', 'loss_copy']);
    // First Adam step moves every parameter by lr·sign(g) (m̂ = g, v̂ = g²): 0.1 down.
    const host = treeToHost(params);
    expect(Array.from(host.get('w')!.data)).toEqual([expect.closeTo(0.9, 6), expect.closeTo(1.9, 6)]);
    expect(host.get('b')!.data[0]).toBeCloseTo(0.4, 6);
    expect(Array.from(treeToHost(state.m).get('w')!.data)).toEqual([expect.closeTo(0.7, 5), expect.closeTo(0.7, 5)]);
  });

  it('fits a linear model, clipping gradients and keeping memory flat', () => {
    const optimizer = new Adam({ learningRate: 0.05 });
    const step = makeTrainStep(mse, optimizer, { maxGradNorm: 1 });
    let params: Params = { w: np.zeros([3, 1]), b: np.zeros([1]) };
    let state = optimizer.init(params);
    const rng = Rng.fromSeed(3);
    const xs = new Float32Array(64 * 3).map(() => rng.normal());
    const ys = new Float32Array(64).map((_, i) => 2 * xs[i * 3] - xs[i * 3 + 1] + 0.5 * xs[i * 3 + 2] + 0.3);
    let last = Infinity;
    for (let t = 1; t <= 400; t++) {
      const out = step(params, state, np.array(optimizer.scalars(t)), { x: np.array(xs).reshape([64, 3]), y: np.array(ys).reshape([64, 1]) });
      params = out.params;
      state = out.state;
      last = out.metrics.loss;
      expect(Number.isFinite(out.metrics.grad_norm)).toBe(true);
    }
    expect(last).toBeLessThan(1e-3);
    const w = treeToHost(params).get('w')!.data;
    expect(w[0]).toBeCloseTo(2, 1);
    expect(w[1]).toBeCloseTo(-1, 1);
  });

  it('clips by global norm like clip_grad_norm_', () => {
    const [clipped, norm] = clipByGlobalNorm({ a: np.array([3]), b: np.array([4]) }, 1);
    expect(norm.item()).toBeCloseTo(5, 5);
    expect(clipped.a.item()).toBeCloseTo(3 / (5 + 1e-6), 5);
    expect(clipped.b.item()).toBeCloseTo(4 / (5 + 1e-6), 5);
  });
});
