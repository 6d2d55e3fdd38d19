import type { Rng } from '@rlft/core';
import { np, orthogonal, type HostTensors } from '@rlft/nn';
import { actionDim, MlpSpecError, type MlpPolicySpec } from './spec.js';

/** One dense layer: y = x·w + b with w of shape [fanIn, fanOut]. */
export interface DenseLayer {
  w: np.Array;
  b: np.Array;
}

/**
 * The parameter tree of an MLP policy. Its paths are the checkpoint tensor names:
 * `actor.0.w`, `actor.0.b`, …, `critic.2.b`, `log_std` (continuous actions only).
 */
export type MlpParams = {
  actor: DenseLayer[];
  critic?: DenseLayer[];
  /** State-independent log standard deviation of the Gaussian, shape [actionDim]. */
  log_std?: np.Array;
};

/** Layer widths from input to output: the actor ends in one output per action, the critic in one value. */
export function layerSizes(spec: MlpPolicySpec, net: 'actor' | 'critic'): number[] {
  if (net === 'actor') return [spec.obsDim, ...spec.actorHidden, actionDim(spec)];
  if (!spec.criticHidden) throw new MlpSpecError('This MLP policy has no critic (criticHidden is null)');
  return [spec.obsDim, ...spec.criticHidden, 1];
}

/** Every tensor the policy's parameters consist of, by checkpoint path, in tree order. */
export function mlpParamShapes(spec: MlpPolicySpec): [string, number[]][] {
  const shapes: [string, number[]][] = [];
  const nets: ('actor' | 'critic')[] = spec.criticHidden ? ['actor', 'critic'] : ['actor'];
  for (const net of nets) {
    const sizes = layerSizes(spec, net);
    for (let i = 0; i + 1 < sizes.length; i++) {
      shapes.push([`${net}.${i}.w`, [sizes[i], sizes[i + 1]]]);
      shapes.push([`${net}.${i}.b`, [sizes[i + 1]]]);
    }
  }
  if (spec.action.type === 'continuous') shapes.push(['log_std', [spec.action.dim]]);
  return shapes;
}

/**
 * CleanRL's initialisation: orthogonal weights with gain √2 in hidden layers, 0.01 in the
 * actor's output layer (near-uniform initial logits / near-zero means) and 1 in the critic's,
 * zero biases, and log-std 0 (standard deviation 1).
 */
export function initMlpParams(spec: MlpPolicySpec, rng: Rng): MlpParams {
  const params: MlpParams = { actor: initStack(layerSizes(spec, 'actor'), 0.01, rng) };
  if (spec.criticHidden) params.critic = initStack(layerSizes(spec, 'critic'), 1, rng);
  if (spec.action.type === 'continuous') params.log_std = np.zeros([spec.action.dim]);
  return params;
}

function initStack(sizes: number[], headGain: number, rng: Rng): DenseLayer[] {
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const gain = i + 2 === sizes.length ? headGain : Math.SQRT2;
    // orthogonal() allocates a plain (non-shared) buffer, which is what np.array accepts.
    const w = orthogonal(rng, [sizes[i], sizes[i + 1]], gain) as Float32Array<ArrayBuffer>;
    layers.push({ w: np.array(w).reshape([sizes[i], sizes[i + 1]]), b: np.zeros([sizes[i + 1]]) });
  }
  return layers;
}

/** Parameters from host tensors (a checkpoint, or `treeToHost` of trained ones); checks every path and shape. */
export function mlpParamsFromHost(spec: MlpPolicySpec, tensors: HostTensors): MlpParams {
  const leaf = (path: string, shape: number[]): np.Array => np.array(hostTensor(tensors, path, shape)).reshape(shape);
  const stack = (net: 'actor' | 'critic'): DenseLayer[] => {
    const sizes = layerSizes(spec, net);
    return sizes.slice(1).map((fanOut, i) => ({ w: leaf(`${net}.${i}.w`, [sizes[i], fanOut]), b: leaf(`${net}.${i}.b`, [fanOut]) }));
  };
  const params: MlpParams = { actor: stack('actor') };
  if (spec.criticHidden) params.critic = stack('critic');
  if (spec.action.type === 'continuous') params.log_std = leaf('log_std', [spec.action.dim]);
  return params;
}

/** The data of tensor `path`, which must have `shape`; errors name the path and both shapes. */
export function hostTensor(tensors: HostTensors, path: string, shape: readonly number[]): Float32Array<ArrayBuffer> {
  const tensor = tensors.get(path);
  if (!tensor) throw new MlpSpecError(`Missing tensor '${path}' (expected shape [${shape.join(', ')}]); found: ${[...tensors.keys()].join(', ') || 'none'}`);
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new MlpSpecError(`Tensor '${path}' has shape [${tensor.shape.join(', ')}], the policy spec needs [${shape.join(', ')}]`);
  }
  return tensor.data;
}

/**
 * The actor's raw outputs for a batch of flat observations [B, obsDim]: logits [B, n] for
 * discrete actions, Gaussian means [B, dim] for continuous ones. Safe inside `jit`; consumes
 * `actor` and `obs` (pass `refTree(actor)` / `obs.ref` to keep them).
 */
export function actorForward(spec: MlpPolicySpec, actor: DenseLayer[], obs: np.Array): np.Array {
  return denseStack(spec, actor, obs);
}

/** V(obs) for a batch [B, obsDim] → [B]. Safe inside `jit`; consumes its arguments. */
export function criticForward(spec: MlpPolicySpec, critic: DenseLayer[], obs: np.Array): np.Array {
  const batch = obs.shape[0];
  return denseStack(spec, critic, obs).reshape([batch]);
}

function denseStack(spec: MlpPolicySpec, layers: DenseLayer[], input: np.Array): np.Array {
  let x = input;
  for (let i = 0; i < layers.length; i++) {
    x = np.matmul(x, layers[i].w).add(layers[i].b);
    if (i + 1 < layers.length) x = spec.activation === 'tanh' ? np.tanh(x) : np.maximum(x, 0);
  }
  return x;
}
