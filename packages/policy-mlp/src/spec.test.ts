import { Box, Dict, Discrete, MultiDiscrete, Text } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { actionDim, assertSpecMatchesSpaces, FLOAT32_MAX, mlpSpecFor, validateMlpSpec } from './spec.js';

const cartPoleObs = () =>
  new Box({ low: [-4.8, -Infinity, -0.42, -Infinity], high: [4.8, Infinity, 0.42, Infinity], dtype: 'float32' });
const pendulumObs = () => new Box({ low: [-1, -1, -8], high: [1, 1, 8], dtype: 'float32' });
const pendulumAct = () => new Box({ low: -2, high: 2, shape: [1], dtype: 'float32' });

describe('mlpSpecFor', () => {
  it('describes a CartPole-like Box → Discrete policy with CleanRL’s defaults', () => {
    const spec = mlpSpecFor(cartPoleObs(), new Discrete(2));
    expect(spec).toMatchObject({
      kind: 'mlp',
      obsDim: 4,
      action: { type: 'discrete', n: 2, start: 0 },
      actorHidden: [64, 64],
      criticHidden: [64, 64],
      activation: 'tanh',
      obsNormalization: null,
    });
    expect(actionDim(spec)).toBe(2);
    // Plain JSON: survives a round trip unchanged (infinite observation bounds are encoded as strings).
    expect(validateMlpSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it('describes a Pendulum-like Box → Box policy, actor only, with normalisation', () => {
    const spec = mlpSpecFor(pendulumObs(), pendulumAct(), { criticHidden: null, actorHidden: [32], activation: 'relu', obsNormalization: true });
    expect(spec.action).toEqual({ type: 'continuous', dim: 1, low: [-2], high: [2] });
    expect(spec.criticHidden).toBeNull();
    expect(spec.actorHidden).toEqual([32]);
    expect(spec.obsNormalization).toEqual({ clip: 10, epsilon: 1e-8 });
    expect(mlpSpecFor(pendulumObs(), pendulumAct(), { obsNormalization: { clip: 5 } }).obsNormalization).toEqual({ clip: 5, epsilon: 1e-8 });
  });

  it('flattens Discrete and Dict observations (one-hot parts) and keeps a Discrete start', () => {
    const obs = new Dict({ position: new Discrete(5), velocity: new Box({ low: -1, high: 1, shape: [2, 3] }) });
    const spec = mlpSpecFor(obs, new Discrete(3, { start: -1 }));
    expect(spec.obsDim).toBe(11);
    expect(spec.action).toEqual({ type: 'discrete', n: 3, start: -1 });
  });

  it('stands in ±FLOAT32_MAX for unbounded action sides so that the spec stays JSON', () => {
    const spec = mlpSpecFor(pendulumObs(), new Box({ low: [-Infinity, 0], high: [1, Infinity] }));
    expect(spec.action).toEqual({ type: 'continuous', dim: 2, low: [-FLOAT32_MAX, 0], high: [1, FLOAT32_MAX] });
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it('rejects observations that do not flatten, naming the space', () => {
    expect(() => mlpSpecFor(new Text(10), new Discrete(2))).toThrow(/flatten to a numeric vector; Text\(/);
    expect(() => mlpSpecFor(new Dict({ name: new Text(4), x: pendulumObs() }), new Discrete(2))).toThrow(/Dict\(.*does not/);
  });

  it('rejects action spaces other than Discrete and floating-point Box', () => {
    expect(() => mlpSpecFor(pendulumObs(), new MultiDiscrete([2, 3]))).toThrow(/Discrete or Box action spaces; got MultiDiscrete/);
    expect(() => mlpSpecFor(pendulumObs(), new Box({ low: 0, high: 3, shape: [2], dtype: 'int32' }))).toThrow(/integer elements/);
  });

  it('rejects bad layer sizes and activations with the field named', () => {
    expect(() => mlpSpecFor(pendulumObs(), pendulumAct(), { actorHidden: [64, 0] })).toThrow(/actorHidden must be a list of positive integers/);
    expect(() => mlpSpecFor(pendulumObs(), pendulumAct(), { activation: 'gelu' as never })).toThrow(/activation must be one of tanh, relu/);
  });
});

describe('validateMlpSpec', () => {
  it('lists every problem of a damaged spec', () => {
    const spec = { ...mlpSpecFor(cartPoleObs(), new Discrete(2)), obsDim: 5, action: { type: 'continuous', dim: 1, low: [0], high: [] } };
    expect(() => validateMlpSpec(spec)).toThrow(/action: a continuous action needs.*obsDim is 5 but Box\(.*flattens to 4/);
    expect(() => validateMlpSpec({ kind: 'transformer' })).toThrow(/kind must be 'mlp'/);
    expect(() => validateMlpSpec(null)).toThrow(/must be an object/);
  });
});

describe('assertSpecMatchesSpaces', () => {
  it('accepts the spaces the policy was built for and names both sides otherwise', () => {
    const spec = mlpSpecFor(cartPoleObs(), new Discrete(2));
    expect(() => assertSpecMatchesSpaces(spec, cartPoleObs(), new Discrete(2), 'CartPole-v1')).not.toThrow();
    expect(() => assertSpecMatchesSpaces(spec, pendulumObs(), pendulumAct(), 'Pendulum-v1')).toThrow(
      /other spaces than Pendulum-v1 has \(observation space: policy Box\(\[-4\.8.*\(4,\), float32\), env Box\(\[-1\.0 -1\.0 -8\.0\].*action space: policy Discrete\(2\), env Box\(-2\.0, 2\.0, \(1,\), float32\)\)/,
    );
  });
});
