import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Box, Discrete, RlftError, flatDim, flatten, spaceFromJSON, type Rng, type Space, type SpaceJSON } from '@rlft/core';
import { fromFloat32, np, orthogonal, readSafetensorsFile, toFloat32, writeSafetensorsFile, type HostTensors } from '@rlft/nn';
import { writeFileAtomic } from '@rlft/core';

export const REWARD_MODEL_FORMAT = 'rlft-reward-model';
export const REWARD_MODEL_VERSION = 1;
export const REWARD_MODEL_CONFIG_FILE = 'reward-model.json';
export const REWARD_MODEL_WEIGHTS_FILE = 'model.safetensors';

export type RewardModelActivation = 'relu' | 'tanh';

/** What a saved reward model needs besides its weights (`reward-model.json`). */
export interface RewardModelConfig {
  format: typeof REWARD_MODEL_FORMAT;
  version: typeof REWARD_MODEL_VERSION;
  /** What the model regresses: the dataset's one-step env reward r(s, a). */
  target: 'reward';
  observationSpace: SpaceJSON;
  actionSpace: SpaceJSON;
  hidden: number[];
  activation: RewardModelActivation;
  /** Per-input-feature normalisation of [flat observation, flat action (one-hot for Discrete)]. */
  inputMean: number[];
  inputStd: number[];
  /** The network predicts (r − targetMean)/targetStd. */
  targetMean: number;
  targetStd: number;
  datasetId?: string;
}

/** One dense layer y = x·w + b, w of shape [fanIn, fanOut]. Tensor paths: `layers.<i>.w`, `layers.<i>.b`. */
export type DenseLayer = { w: np.Array; b: np.Array };
export type RewardModelParams = { layers: DenseLayer[] };

/** Layer widths from the input features to the single output. */
export function rewardModelSizes(inputDim: number, hidden: readonly number[]): number[] {
  return [inputDim, ...hidden, 1];
}

/** Orthogonal weights (gain √2 in hidden layers, 1 at the output) and zero biases. */
export function initRewardModelParams(sizes: readonly number[], rng: Rng): RewardModelParams {
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const gain = i + 2 === sizes.length ? 1 : Math.SQRT2;
    const w = orthogonal(rng, [sizes[i], sizes[i + 1]], gain) as Float32Array<ArrayBuffer>;
    layers.push({ w: np.array(w).reshape([sizes[i], sizes[i + 1]]), b: np.zeros([sizes[i + 1]]) });
  }
  return { layers };
}

/** The model's outputs [B] for normalised inputs [B, inputDim]. Safe inside `jit`; consumes its arguments. */
export function rewardModelForward(params: RewardModelParams, inputs: np.Array, activation: RewardModelActivation): np.Array {
  const batch = inputs.shape[0];
  let x = inputs;
  params.layers.forEach((layer, i) => {
    x = np.matmul(x, layer.w).add(layer.b);
    if (i + 1 < params.layers.length) x = activation === 'tanh' ? np.tanh(x) : np.maximum(x, 0);
  });
  return x.reshape([batch]);
}

/** The flat features of (observation, action): observation flattened, then the action (one-hot when Discrete). */
export class FeatureEncoder {
  readonly dim: number;
  private readonly observationDim: number;

  constructor(readonly observationSpace: Space, readonly actionSpace: Space) {
    if (!(actionSpace instanceof Box) && !(actionSpace instanceof Discrete)) {
      throw new RlftError('REWARD_MODEL', `a reward model takes Box or Discrete actions, not ${actionSpace.toString()}`);
    }
    this.observationDim = flatDim(observationSpace);
    this.dim = this.observationDim + flatDim(actionSpace);
  }

  /** Writes the features of one pair into `out` at row `row`. */
  encode(observation: unknown, action: unknown, out: Float32Array | Float64Array, row: number): void {
    const offset = row * this.dim;
    flatten(this.observationSpace, observation, out, offset);
    flatten(this.actionSpace, action, out, offset + this.observationDim);
  }
}

/**
 * A trained reward model evaluated on the host (a few small matmuls per batch; no engine
 * needed at scoring time).
 */
export class HostRewardModel {
  readonly encoder: FeatureEncoder;
  private readonly layers: { w: Float32Array; b: Float32Array; fanIn: number; fanOut: number }[];

  constructor(readonly config: RewardModelConfig, tensors: HostTensors) {
    this.encoder = new FeatureEncoder(spaceFromJSON(config.observationSpace), spaceFromJSON(config.actionSpace));
    const sizes = rewardModelSizes(this.encoder.dim, config.hidden);
    if (config.inputMean.length !== this.encoder.dim || config.inputStd.length !== this.encoder.dim) {
      throw new RlftError('REWARD_MODEL', `reward model: inputMean/inputStd need ${this.encoder.dim} entries (the flat observation and action)`);
    }
    this.layers = sizes.slice(1).map((fanOut, i) => {
      const fanIn = sizes[i];
      return { w: tensorOf(tensors, `layers.${i}.w`, [fanIn, fanOut]), b: tensorOf(tensors, `layers.${i}.b`, [fanOut]), fanIn, fanOut };
    });
  }

  /** Predicted rewards for `count` rows of raw (unnormalised) features. */
  predict(features: ArrayLike<number>, count: number): Float64Array {
    const { inputMean, inputStd, targetMean, targetStd, activation } = this.config;
    const dim = this.encoder.dim;
    let x = new Float64Array(count * dim);
    for (let i = 0; i < x.length; i++) x[i] = (features[i] - inputMean[i % dim]) / inputStd[i % dim];
    this.layers.forEach((layer, index) => {
      const y = new Float64Array(count * layer.fanOut);
      for (let r = 0; r < count; r++) {
        for (let o = 0; o < layer.fanOut; o++) {
          let sum = layer.b[o];
          for (let k = 0; k < layer.fanIn; k++) sum += x[r * layer.fanIn + k] * layer.w[k * layer.fanOut + o];
          const hidden = index + 1 < this.layers.length;
          y[r * layer.fanOut + o] = !hidden ? sum : activation === 'tanh' ? Math.tanh(sum) : Math.max(sum, 0);
        }
      }
      x = y;
    });
    return x.map((v) => v * targetStd + targetMean);
  }
}

function tensorOf(tensors: HostTensors, path: string, shape: number[]): Float32Array {
  const tensor = tensors.get(path);
  if (!tensor) throw new RlftError('REWARD_MODEL', `reward model: missing tensor '${path}' (shape [${shape.join(', ')}])`);
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new RlftError('REWARD_MODEL', `reward model: tensor '${path}' has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  return tensor.data;
}

/** Writes the config and weights into `dir` (the caller makes the directory swap atomic). */
export function writeRewardModelFiles(dir: string, config: RewardModelConfig, tensors: HostTensors): void {
  const safetensors = new Map([...tensors].map(([path, t]) => [path, fromFloat32(t.data, t.shape)] as const));
  writeSafetensorsFile(join(dir, REWARD_MODEL_WEIGHTS_FILE), safetensors, { format: REWARD_MODEL_FORMAT });
  writeFileAtomic(join(dir, REWARD_MODEL_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
}

/** Reads a reward model directory written by `trainRewardModel`. */
export function loadRewardModel(dir: string): HostRewardModel {
  const configPath = join(dir, REWARD_MODEL_CONFIG_FILE);
  if (!existsSync(configPath)) throw new RlftError('REWARD_MODEL', `${dir} is not a reward model directory: ${REWARD_MODEL_CONFIG_FILE} is missing (train one with trainRewardModel)`);
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as RewardModelConfig;
  if (config.format !== REWARD_MODEL_FORMAT || config.version !== REWARD_MODEL_VERSION) {
    throw new RlftError('REWARD_MODEL', `${configPath}: format ${String(config.format)} v${String(config.version)}; expected ${REWARD_MODEL_FORMAT} v${REWARD_MODEL_VERSION}`);
  }
  const tensors: HostTensors = new Map();
  for (const [path, tensor] of readSafetensorsFile(join(dir, REWARD_MODEL_WEIGHTS_FILE)).tensors) {
    tensors.set(path, { shape: tensor.shape, data: toFloat32(tensor) });
  }
  return new HostRewardModel(config, tensors);
}
