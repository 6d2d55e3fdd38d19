// Float64 host reimplementations of MLP policies and of the pieces of policy-gradient losses,
// written out from their definitions, and a driver that checks an algorithm's engine loss and
// its gradient in every parameter tensor against them (central differences in float64).
// Shared by the loss tests of algo-ppo, algo-reinforce and algo-grpo.
import { Rng } from '@rlft/core';
import { engineGradient, gradientError, np, numericalGradient, type HostArray, type LossAux } from '@rlft/nn';
import { mlpParamShapes, type DenseLayer, type MlpParams, type MlpPolicySpec } from '@rlft/policy-mlp';

/** Parameter tensors by checkpoint path (`actor.0.w`, …, `log_std`), in float64 on the host. */
export type HostParams = Map<string, Float64Array>;

/** Float32-representable normal draws, so that the engine and the float64 reference see the same numbers. */
export function normals(rng: Rng, n: number, std = 1, mean = 0): Float64Array {
  return Float64Array.from({ length: n }, () => Math.fround(rng.normal(mean, std)));
}

/**
 * Random parameters for `spec` (normal, std 0.5 for weights, 0.1 for biases and log-std): larger
 * than CleanRL's near-zero actor head, so that every term of a loss has a gradient worth checking.
 */
export function randomHostParams(spec: MlpPolicySpec, rng: Rng): HostParams {
  const params: HostParams = new Map();
  for (const [path, shape] of mlpParamShapes(spec)) {
    const size = shape.reduce((a, b) => a * b, 1);
    params.set(path, normals(rng, size, path.endsWith('.w') ? 0.5 : 0.1));
  }
  return params;
}

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** y = act(…act(x·W₀ + b₀)…)·W_L + b_L for a batch of rows, in float64. */
export function denseForward(spec: MlpPolicySpec, params: HostParams, net: 'actor' | 'critic', obs: ArrayLike<number>, batch: number): Float64Array {
  let input = Float64Array.from(obs);
  let width = spec.obsDim;
  for (let layer = 0; params.has(`${net}.${layer}.w`); layer++) {
    const w = params.get(`${net}.${layer}.w`)!;
    const b = params.get(`${net}.${layer}.b`)!;
    const out = b.length;
    const last = !params.has(`${net}.${layer + 1}.w`);
    const output = new Float64Array(batch * out);
    for (let r = 0; r < batch; r++) {
      for (let j = 0; j < out; j++) {
        let sum = b[j];
        for (let i = 0; i < width; i++) sum += input[r * width + i] * w[i * out + j];
        output[r * out + j] = last ? sum : spec.activation === 'tanh' ? Math.tanh(sum) : Math.max(sum, 0);
      }
    }
    input = output;
    width = out;
  }
  return input;
}

/**
 * log π(a|s) and the entropy of π(·|s) for each row. Discrete actions are one-hot rows [B, n]
 * (as the trainers upload them), continuous ones raw samples [B, dim].
 */
export function logProbsAndEntropy(
  spec: MlpPolicySpec,
  params: HostParams,
  obs: ArrayLike<number>,
  actions: ArrayLike<number>,
  batch: number,
): { logProbs: Float64Array; entropy: Float64Array } {
  const outputs = denseForward(spec, params, 'actor', obs, batch);
  const logProbs = new Float64Array(batch);
  const entropy = new Float64Array(batch);
  if (spec.action.type === 'discrete') {
    const n = spec.action.n;
    for (let r = 0; r < batch; r++) {
      const row = outputs.subarray(r * n, (r + 1) * n);
      const max = Math.max(...row);
      const logNormaliser = max + Math.log(row.reduce((s, l) => s + Math.exp(l - max), 0));
      for (let a = 0; a < n; a++) {
        const logP = row[a] - logNormaliser;
        logProbs[r] += actions[r * n + a] * logP;
        entropy[r] -= Math.exp(logP) * logP;
      }
    }
    return { logProbs, entropy };
  }
  const dim = spec.action.dim;
  const logStd = params.get('log_std')!;
  for (let r = 0; r < batch; r++) {
    for (let d = 0; d < dim; d++) {
      const z = (actions[r * dim + d] - outputs[r * dim + d]) / Math.exp(logStd[d]);
      logProbs[r] += -0.5 * z * z - logStd[d] - HALF_LOG_TWO_PI;
      entropy[r] += logStd[d] + 0.5 + HALF_LOG_TWO_PI;
    }
  }
  return { logProbs, entropy };
}

const clip = (x: number, low: number, high: number): number => Math.min(Math.max(x, low), high);

/** −min(ρA, clip(ρ, 1 − εlow, 1 + εhigh)·A) with ρ = exp(logRatio). */
export function clippedSurrogate(logRatio: number, advantage: number, epsLow: number, epsHigh = epsLow): number {
  const ratio = Math.exp(logRatio);
  return -Math.min(ratio * advantage, clip(ratio, 1 - epsLow, 1 + epsHigh) * advantage);
}

/** ½(v − R)², or ½·max((v − R)², (v_old + clip(v − v_old, ±c) − R)²) with a clip c. */
export function valueLoss(value: number, ret: number, oldValue?: number, c?: number): number {
  const unclipped = (value - ret) ** 2;
  if (oldValue === undefined || c === undefined) return 0.5 * unclipped;
  return 0.5 * Math.max(unclipped, (oldValue + clip(value - oldValue, -c, c) - ret) ** 2);
}

/** (x − mean)/(std + 1e-8) with the unbiased std. */
export function standardize(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const mean = Array.from(values).reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(Array.from(values).reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return Float64Array.from(values, (v) => (v - mean) / (std + 1e-8));
}

export function mean(values: ArrayLike<number>): number {
  return Array.from(values).reduce((s, v) => s + v, 0) / values.length;
}

/**
 * Log-ratios around 0 with std 0.3 that keep at least `margin` away from the clip boundaries
 * log(1 − εlow) and log(1 + εhigh), where the surrogate has a kink.
 */
export function logRatiosAwayFromClip(rng: Rng, n: number, epsLow: number, epsHigh = epsLow, margin = 1e-3): Float64Array {
  const kinks = [Math.log(1 - epsLow), Math.log(1 + epsHigh)];
  return Float64Array.from({ length: n }, () => {
    for (;;) {
      const x = rng.normal(0, 0.3);
      if (kinks.every((k) => Math.abs(x - k) > margin)) return x;
    }
  });
}

export type StepBatchKey = 'obs' | 'actions' | 'oldLogProbs' | 'advantages' | 'weights' | 'returns';

/**
 * A step batch as `trainEpisodic` uploads it: `steps` random steps (one-hot discrete actions or
 * raw continuous samples, old log-probs = current log-probs − `logRatios`), padded to `size`
 * rows of zeros with weight 0.
 */
export function randomStepBatch(
  spec: MlpPolicySpec,
  params: HostParams,
  rng: Rng,
  options: { size: number; advantages: ArrayLike<number>; weights: ArrayLike<number>; logRatios?: ArrayLike<number> },
): Record<StepBatchKey, HostArray> {
  const { size, advantages, weights } = options;
  const steps = advantages.length;
  const width = spec.action.type === 'discrete' ? spec.action.n : spec.action.dim;
  const obs = new Float64Array(size * spec.obsDim);
  obs.set(normals(rng, steps * spec.obsDim));
  const actions = new Float64Array(size * width);
  for (let k = 0; k < steps; k++) {
    if (spec.action.type === 'discrete') actions[k * width + rng.integer(0, width - 1)] = 1;
    else actions.set(normals(rng, width, 1.5), k * width);
  }
  const { logProbs } = logProbsAndEntropy(spec, params, obs, actions, size);
  const column = (values: ArrayLike<number>) => {
    const out = new Float64Array(size);
    for (let k = 0; k < steps; k++) out[k] = Math.fround(values[k]);
    return { data: out, shape: [size] };
  };
  return {
    obs: { data: obs, shape: [size, spec.obsDim] },
    actions: { data: actions, shape: [size, width] },
    oldLogProbs: column(Array.from({ length: steps }, (_, k) => logProbs[k] - (options.logRatios?.[k] ?? 0))),
    advantages: column(advantages),
    weights: column(weights),
    returns: column(normals(rng, steps, 3, 5)),
  };
}

/** Rebuild the engine parameter tree of `spec` from one array per path of `mlpParamShapes`, in that order. */
export function paramsFromLeaves(spec: MlpPolicySpec, leaves: readonly np.Array[]): MlpParams {
  const byPath = new Map(mlpParamShapes(spec).map(([path], i) => [path, leaves[i]]));
  const stack = (net: 'actor' | 'critic'): DenseLayer[] => {
    const layers: DenseLayer[] = [];
    for (let i = 0; byPath.has(`${net}.${i}.w`); i++) layers.push({ w: byPath.get(`${net}.${i}.w`)!, b: byPath.get(`${net}.${i}.b`)! });
    return layers;
  };
  const params: MlpParams = { actor: stack('actor') };
  if (spec.criticHidden) params.critic = stack('critic');
  if (byPath.has('log_std')) params.log_std = byPath.get('log_std');
  return params;
}

export interface LossCheck {
  /** The engine's loss value at the given parameters. */
  engineLoss: number;
  /** The float64 reference's loss value. */
  referenceLoss: number;
  /** `gradientError` of the engine's gradient in each parameter tensor, by path. */
  gradientErrors: Record<string, number>;
}

/**
 * Evaluate an algorithm's engine loss (its `(params, batch) => [loss, aux]`) at `params`, and
 * its gradient in every parameter tensor, against `reference` (a float64 function of the
 * parameters) and central differences of it. `batch` is uploaded fresh for every evaluation
 * (losses consume their arguments); `shape`s give each batch array's engine shape.
 */
export function checkLoss<Batch extends Record<string, np.Array>>(
  spec: MlpPolicySpec,
  loss: (params: MlpParams, batch: Batch) => [np.Array, LossAux],
  params: HostParams,
  batch: Record<keyof Batch & string, HostArray>,
  reference: (params: HostParams) => number,
): LossCheck {
  const shapes = mlpParamShapes(spec);
  const batchKeys = Object.keys(batch) as (keyof Batch & string)[];
  const inputs: HostArray[] = [...shapes.map(([path, shape]) => ({ data: params.get(path)!, shape })), ...batchKeys.map((key) => batch[key])];
  const scalarLoss = (...args: np.Array[]): np.Array => {
    const tree = paramsFromLeaves(spec, args.slice(0, shapes.length));
    const engineBatch = Object.fromEntries(batchKeys.map((key, i) => [key, args[shapes.length + i]])) as Batch;
    const [value, aux] = loss(tree, engineBatch);
    for (const diagnostic of Object.values(aux)) diagnostic.dispose();
    return value;
  };
  const uploaded = inputs.map(({ data, shape }) => np.array(Float32Array.from(data), { shape }));
  const engineLoss = scalarLoss(...uploaded).item();
  const gradientErrors: Record<string, number> = {};
  shapes.forEach(([path], argnum) => {
    const actual = engineGradient(scalarLoss, inputs, argnum);
    const expected = numericalGradient((x) => reference(new Map(params).set(path, Float64Array.from(x))), params.get(path)!);
    gradientErrors[path] = gradientError(actual, expected);
  });
  return { engineLoss, referenceLoss: reference(params), gradientErrors };
}
