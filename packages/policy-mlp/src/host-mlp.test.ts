import { Box, Discrete, Rng } from '@rlft/core';
import { disposeTree, initEngine, np, refTree, type HostTensors } from '@rlft/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { perturbedTensors, maxRelativeError } from './fixtures/helpers.js';
import { HostActorCritic, HostMlp } from './host-mlp.js';
import { actorForward, criticForward, mlpParamsFromHost } from './params.js';
import { mlpSpecFor, type MlpPolicySpec } from './spec.js';

beforeAll(async () => {
  await initEngine('wasm');
});

const discreteSpec = () => mlpSpecFor(new Box({ low: -5, high: 5, shape: [4] }), new Discrete(3, { start: 1 }));
const continuousSpec = () =>
  mlpSpecFor(new Box({ low: -8, high: 8, shape: [3] }), new Box({ low: -2, high: 2, shape: [2] }), { activation: 'relu', actorHidden: [32, 16], criticHidden: [8] });

function randomObs(rng: Rng, batch: number, dim: number): Float32Array {
  return Float32Array.from({ length: batch * dim }, () => rng.normal(0, 2));
}

function engineOutputs(spec: MlpPolicySpec, tensors: HostTensors, obs: Float32Array, batch: number): { actor: Float32Array; critic?: Float32Array } {
  const params = mlpParamsFromHost(spec, tensors);
  const x = np.array(obs).reshape([batch, spec.obsDim]);
  const actor = actorForward(spec, refTree(params.actor), x.ref).dataSync() as Float32Array;
  const critic = params.critic ? (criticForward(spec, refTree(params.critic), x.ref).dataSync() as Float32Array) : undefined;
  x.dispose();
  disposeTree(params);
  return { actor, critic };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(maxRelativeError(actual, expected)).toBeLessThan(tolerance);
}

describe('HostMlp', () => {
  for (const [name, makeSpec] of [['discrete, tanh', discreteSpec], ['continuous, relu', continuousSpec]] as const) {
    it(`matches the engine's actor and critic to 1e-5 (${name})`, () => {
      const spec = makeSpec();
      const tensors = perturbedTensors(spec, 4);
      const net = new HostMlp(spec, tensors);
      const rng = Rng.fromSeed(5);
      for (const batch of [1, 7, 64]) {
        const obs = randomObs(rng, batch, spec.obsDim);
        const expected = engineOutputs(spec, tensors, obs, batch);
        expectClose(net.actorOutput(obs, batch), expected.actor, 1e-5);
        expectClose(net.values(obs, batch), expected.critic!, 1e-5);
      }
    });
  }

  it('reuses its output buffers and reads fresh weights after load()', () => {
    const spec = discreteSpec();
    const net = new HostMlp(spec, perturbedTensors(spec, 1));
    const obs = randomObs(Rng.fromSeed(0), 1, 4);
    const first = net.actorOutput(obs, 1);
    const before = Array.from(first);
    expect(net.actorOutput(obs, 1)).toBe(first);
    const updated = perturbedTensors(spec, 2);
    net.load(updated);
    expect(Array.from(net.actorOutput(obs, 1))).not.toEqual(before);
    expectClose(net.actorOutput(obs, 1), engineOutputs(spec, updated, obs, 1).actor, 1e-5);
  });

  it('reports wrong input sizes and missing tensors', () => {
    const spec = discreteSpec();
    const tensors = perturbedTensors(spec, 1);
    const net = new HostMlp(spec, tensors);
    expect(() => net.actorOutput(new Float32Array(7), 2)).toThrow(/Expected 2 observations of 4 values \(8\), got 7/);
    tensors.delete('critic.1.b');
    expect(() => new HostMlp(spec, tensors)).toThrow(/Missing tensor 'critic\.1\.b'/);
    const actorOnly = new HostMlp({ ...spec, criticHidden: null }, tensors);
    expect(() => actorOnly.values(new Float32Array(4), 1)).toThrow(/no critic/);
  });
});

/** A net whose actor ignores the observation: last layer zero, bias = the wanted outputs. */
function constantActorTensors(spec: MlpPolicySpec, outputs: number[], logStd?: number[]): HostTensors {
  const tensors = perturbedTensors(spec, 9);
  const last = spec.actorHidden.length;
  tensors.get(`actor.${last}.w`)!.data.fill(0);
  tensors.get(`actor.${last}.b`)!.data.set(outputs);
  if (logStd) tensors.get('log_std')!.data.set(logStd);
  return tensors;
}

describe('HostActorCritic.act', () => {
  it('samples discrete actions with the softmax frequencies, offset by the space’s start, with their log-probabilities', () => {
    const spec = discreteSpec();
    const probs = [0.2, 0.5, 0.3];
    const net = new HostActorCritic(spec, constantActorTensors(spec, probs.map(Math.log)));
    const batch = 4000;
    const obs = randomObs(Rng.fromSeed(1), batch, 4);
    const { actions, logProbs, values } = net.act(obs, batch, Rng.fromSeed(2), false);
    expect(actions).toBeInstanceOf(Int32Array);
    const counts = [0, 0, 0];
    for (let b = 0; b < batch; b++) {
      counts[actions[b] - 1]++;
      expect(logProbs[b]).toBeCloseTo(Math.log(probs[actions[b] - 1]), 5);
    }
    // Binomial standard error at n = 4000 is below 0.008: allow 4 of them.
    counts.forEach((c, i) => expect(Math.abs(c / batch - probs[i])).toBeLessThan(0.03));
    expect(values).toHaveLength(batch);
    const greedy = net.act(obs, 2, Rng.fromSeed(2), true);
    expect(Array.from(greedy.actions)).toEqual([2, 2]);
    expect(greedy.logProbs[0]).toBeCloseTo(Math.log(0.5), 5);
  });

  it('samples unclipped Gaussian actions around the mean with σ = exp(log_std)', () => {
    const spec = continuousSpec();
    const net = new HostActorCritic(spec, constantActorTensors(spec, [1.5, -0.5], [Math.log(0.5), Math.log(2)]));
    const batch = 4000;
    const obs = randomObs(Rng.fromSeed(3), batch, 3);
    const { actions, logProbs } = net.act(obs, batch, Rng.fromSeed(4), false);
    expect(actions).toBeInstanceOf(Float32Array);
    const stats = [0, 1].map((d) => {
      let sum = 0;
      let squares = 0;
      for (let b = 0; b < batch; b++) sum += actions[b * 2 + d];
      const mean = sum / batch;
      for (let b = 0; b < batch; b++) squares += (actions[b * 2 + d] - mean) ** 2;
      return { mean, std: Math.sqrt(squares / batch) };
    });
    expect(stats[0].mean).toBeCloseTo(1.5, 1);
    expect(stats[0].std).toBeCloseTo(0.5, 1);
    expect(stats[1].mean).toBeCloseTo(-0.5, 0);
    expect(stats[1].std).toBeCloseTo(2, 1);
    // The bounds are ±2, but samples are stored as drawn (the env wrapper clips).
    expect(Array.from(actions).some((a) => Math.abs(a) > 2)).toBe(true);
    const z0 = (actions[0] - 1.5) / 0.5;
    const z1 = (actions[1] + 0.5) / 2;
    expect(logProbs[0]).toBeCloseTo(-0.5 * (z0 * z0 + z1 * z1) - Math.log(0.5) - Math.log(2) - Math.log(2 * Math.PI), 4);
    const greedy = net.act(obs, 1, Rng.fromSeed(4), true);
    expect(Array.from(greedy.actions)).toEqual([1.5, -0.5]);
  });

  it('gives the same actions for the same seed, and different ones for another', () => {
    const spec = discreteSpec();
    const net = new HostActorCritic(spec, perturbedTensors(spec, 3));
    const obs = randomObs(Rng.fromSeed(6), 32, 4);
    const run = (seed: number) => Array.from(net.act(obs, 32, Rng.fromSeed(seed), false).actions);
    expect(run(11)).toEqual(run(11));
    expect(run(11)).not.toEqual(run(12));
  });

  it('returns the same result object for a batch size (no allocation per step)', () => {
    const spec = continuousSpec();
    const net = new HostActorCritic(spec, perturbedTensors(spec, 3));
    const obs = randomObs(Rng.fromSeed(6), 8, 3);
    const rng = Rng.fromSeed(0);
    const first = net.act(obs, 8, rng, false);
    const second = net.act(obs, 8, rng, false);
    expect(second).toBe(first);
    expect(second.values).toBe(first.values);
  });
});
