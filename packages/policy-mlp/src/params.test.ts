import { Box, Discrete, Rng } from '@rlft/core';
import { Adam, disposeTree, initEngine, makeTrainStep, np, refTree, treeToHost } from '@rlft/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { actorForward, criticForward, initMlpParams, mlpParamsFromHost, mlpParamShapes } from './params.js';
import { mlpSpecFor } from './spec.js';

beforeAll(async () => {
  await initEngine('wasm');
});

const cartPoleSpec = () => mlpSpecFor(new Box({ low: -5, high: 5, shape: [4] }), new Discrete(2));
const pendulumSpec = () => mlpSpecFor(new Box({ low: -8, high: 8, shape: [3] }), new Box({ low: -2, high: 2, shape: [1] }), { criticHidden: null });

/** Wᵀ·W for a row-major [rows, cols] matrix. */
function gram(w: Float32Array, rows: number, cols: number): number[][] {
  const out = Array.from({ length: cols }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) for (let r = 0; r < rows; r++) out[i][j] += w[r * cols + i] * w[r * cols + j];
  return out;
}

function expectScaledIdentity(m: number[][], scale: number): void {
  for (let i = 0; i < m.length; i++) for (let j = 0; j < m.length; j++) expect(m[i][j]).toBeCloseTo(i === j ? scale : 0, 5);
}

describe('initMlpParams', () => {
  it('names tensors by checkpoint path and gives them the spec’s shapes', () => {
    const spec = cartPoleSpec();
    const params = initMlpParams(spec, Rng.fromSeed(0));
    const host = treeToHost(params);
    expect([...host].map(([path, t]) => [path, t.shape])).toEqual(mlpParamShapes(spec));
    expect([...host.keys()]).toEqual([
      'actor.0.w', 'actor.0.b', 'actor.1.w', 'actor.1.b', 'actor.2.w', 'actor.2.b',
      'critic.0.w', 'critic.0.b', 'critic.1.w', 'critic.1.b', 'critic.2.w', 'critic.2.b',
    ]);
    disposeTree(params);
    const continuous = treeToHost(initMlpParams(pendulumSpec(), Rng.fromSeed(0)));
    expect([...continuous.keys()]).toEqual(['actor.0.w', 'actor.0.b', 'actor.1.w', 'actor.1.b', 'actor.2.w', 'actor.2.b', 'log_std']);
    expect(Array.from(continuous.get('log_std')!.data)).toEqual([0]);
  });

  it('uses CleanRL’s orthogonal init: gain √2 in hidden layers, 0.01 for the actor head, 1 for the critic head, zero biases', () => {
    const params = initMlpParams(cartPoleSpec(), Rng.fromSeed(1));
    const host = treeToHost(params);
    disposeTree(params);
    // [4, 64]: fanIn < fanOut, so the rows are orthogonal with norm √2 (W·Wᵀ = 2·I).
    const first = host.get('actor.0.w')!.data;
    const rowsGram = Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => {
      let s = 0;
      for (let k = 0; k < 64; k++) s += first[i * 64 + k] * first[j * 64 + k];
      return s;
    }));
    expectScaledIdentity(rowsGram, 2);
    expectScaledIdentity(gram(host.get('actor.1.w')!.data, 64, 64), 2);
    expectScaledIdentity(gram(host.get('critic.1.w')!.data, 64, 64), 2);
    expectScaledIdentity(gram(host.get('actor.2.w')!.data, 64, 2), 0.01 ** 2);
    expectScaledIdentity(gram(host.get('critic.2.w')!.data, 64, 1), 1);
    for (const [path, tensor] of host) if (path.endsWith('.b')) expect(tensor.data.every((v) => v === 0)).toBe(true);
  });

  it('is deterministic in the seed', () => {
    const a = treeToHost(initMlpParams(cartPoleSpec(), Rng.fromSeed(7))).get('actor.1.w')!.data;
    const b = treeToHost(initMlpParams(cartPoleSpec(), Rng.fromSeed(7))).get('actor.1.w')!.data;
    const c = treeToHost(initMlpParams(cartPoleSpec(), Rng.fromSeed(8))).get('actor.1.w')!.data;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});

describe('actorForward / criticForward', () => {
  it('compute tanh MLPs of the right shapes, inside and outside jit', () => {
    const spec = cartPoleSpec();
    const params = initMlpParams(spec, Rng.fromSeed(2));
    const obsData = new Float32Array([0.1, -0.2, 0.03, 0.5, 1, 2, -1, 0, 0, 0, 0, 0]);
    const obs = () => np.array(obsData).reshape([3, 4]);
    const logits = actorForward(spec, refTree(params.actor), obs());
    expect(logits.shape).toEqual([3, 2]);
    const values = criticForward(spec, refTree(params.critic!), obs());
    expect(values.shape).toEqual([3]);
    // By hand for row 0 of the critic.
    const host = treeToHost(params);
    let h: number[] = Array.from(obsData.slice(0, 4));
    for (let l = 0; l < 3; l++) {
      const w = host.get(`critic.${l}.w`)!;
      const [fanIn, fanOut] = w.shape;
      const next = Array.from({ length: fanOut }, (_, j) => {
        let s = host.get(`critic.${l}.b`)!.data[j];
        for (let i = 0; i < fanIn; i++) s += h[i] * w.data[i * fanOut + j];
        return l < 2 ? Math.tanh(s) : s;
      });
      h = next;
    }
    const valuesHost = values.ref.dataSync();
    expect(valuesHost[0]).toBeCloseTo(h[0], 5);

    // Inside a compiled train step (jit + grad): the loss sees the same outputs, and gradients reach every layer.
    const loss = (p: typeof params, x: np.Array): [np.Array, Record<string, np.Array>] => {
      const l = actorForward(spec, p.actor, x.ref);
      const v = criticForward(spec, p.critic!, x);
      const total = np.sum(np.square(l)).add(np.sum(np.square(v)));
      return [total, {}];
    };
    const optimizer = new Adam({ learningRate: 0.01 });
    const step = makeTrainStep(loss, optimizer);
    const expectedLoss = Array.from(logits.ref.dataSync()).reduce((s, v) => s + v * v, 0) + Array.from(valuesHost).reduce((s, v) => s + v * v, 0);
    const state = optimizer.init(params);
    const result = step(refTree(params), state, np.array(optimizer.scalars(1)), obs());
    expect(result.metrics.loss).toBeCloseTo(expectedLoss, 4);
    const before = treeToHost(params);
    const after = treeToHost(result.params);
    // Adam's first step moves every parameter with a non-zero gradient by ≈ lr.
    for (const path of ['actor.0.w', 'actor.2.b', 'critic.0.w', 'critic.2.b']) {
      const moved = after.get(path)!.data.map((v, i) => Math.abs(v - before.get(path)!.data[i]));
      expect(Math.max(...moved)).toBeCloseTo(0.01, 3);
    }
    disposeTree(result.params);
    disposeTree(result.state);
    logits.dispose();
    values.dispose();
    disposeTree(params);
  });

  it('rebuilds the same parameters from host tensors, and names a wrong shape', () => {
    const spec = pendulumSpec();
    const params = initMlpParams(spec, Rng.fromSeed(3));
    const host = treeToHost(params);
    const rebuilt = mlpParamsFromHost(spec, host);
    expect(treeToHost(rebuilt)).toEqual(host);
    disposeTree(rebuilt);
    disposeTree(params);
    const broken = new Map(host);
    broken.set('actor.1.w', { shape: [64, 32], data: new Float32Array(64 * 32) });
    expect(() => mlpParamsFromHost(spec, broken)).toThrow(/Tensor 'actor\.1\.w' has shape \[64, 32\], the policy spec needs \[64, 64\]/);
    broken.delete('log_std');
    expect(() => mlpParamsFromHost({ ...spec }, new Map([...host].filter(([k]) => k !== 'log_std')))).toThrow(/Missing tensor 'log_std'/);
  });
});
