import { Rng, RlftError, replaceDirectoryAtomic } from '@rlft/core';
import { openDataset, rowAt } from '@rlft/data';
import { Adam, disposeTree, initEngine, makeTrainStep, np, toEngine, treeToHost } from '@rlft/nn';
import {
  FeatureEncoder,
  HostRewardModel,
  REWARD_MODEL_FORMAT,
  REWARD_MODEL_VERSION,
  initRewardModelParams,
  rewardModelForward,
  rewardModelSizes,
  writeRewardModelFiles,
  type RewardModelActivation,
  type RewardModelConfig,
  type RewardModelParams,
} from './model.js';

export interface TrainRewardModelOptions {
  /** Directory to write (replaced whole, atomically). */
  out: string;
  /** Hidden layer widths. Default [64, 64]. */
  hidden?: number[];
  activation?: RewardModelActivation;
  /** Optimisation steps. Default 2000. */
  steps?: number;
  /** Minibatch size (drawn with replacement). Default 256. */
  batchSize?: number;
  learningRate?: number;
  seed?: number;
}

export interface TrainRewardModelResult {
  path: string;
  /** (observation, action, reward) triples trained on: every step of the dataset. */
  examples: number;
  /** Mean squared error of the saved model over the whole dataset, in reward units. */
  mse: number;
  /** The variance of the dataset's rewards: the MSE of always predicting the mean. */
  rewardVariance: number;
}

type Batch = { x: np.Array; y: np.Array };

/**
 * Trains an MLP r̂(s, a) to regress the one-step env reward stored in a dataset (the reward of
 * each step for the observation before it and the action taken), with inputs and target
 * standardised over the dataset, MSE loss and Adam; saves it to `out` for the `learned` reward.
 */
export async function trainRewardModel(datasetPath: string, options: TrainRewardModelOptions): Promise<TrainRewardModelResult> {
  const hidden = options.hidden ?? [64, 64];
  const activation = options.activation ?? 'relu';
  const steps = options.steps ?? 2000;
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new RlftError('REWARD_MODEL', `trainRewardModel needs integer steps ≥ 1 and batchSize ≥ 1, got ${steps} and ${batchSize}`);
  }
  const dataset = await openDataset(datasetPath);
  let data: { features: Float32Array; rewards: Float64Array; encoder: FeatureEncoder };
  let datasetId: string;
  try {
    data = readExamples(dataset);
    datasetId = dataset.metadata.dataset_id;
  } finally {
    dataset.close();
  }
  const { features, rewards, encoder } = data;
  const count = rewards.length;
  if (count === 0) throw new RlftError('REWARD_MODEL', `${datasetPath} holds no transitions to train a reward model on`);
  const dim = encoder.dim;
  const { mean: inputMean, std: inputStd } = columnStats(features, dim);
  const { mean: [targetMean], std: [targetStd] } = columnStats(rewards, 1);
  const x = new Float32Array(features.length);
  for (let i = 0; i < x.length; i++) x[i] = (features[i] - inputMean[i % dim]) / inputStd[i % dim];
  const y = Float32Array.from(rewards, (r) => (r - targetMean) / targetStd);

  await initEngine();
  const rng = Rng.fromSeed(options.seed ?? 0);
  const optimizer = new Adam({ learningRate: options.learningRate ?? 1e-3 });
  const loss = (params: RewardModelParams, batch: Batch): [np.Array, Record<string, np.Array>] => {
    const predicted = rewardModelForward(params, batch.x, activation);
    return [np.mean(np.square(predicted.sub(batch.y))), {}];
  };
  const trainStep = makeTrainStep(loss, optimizer);
  let params = initRewardModelParams(rewardModelSizes(dim, hidden), rng);
  let state = optimizer.init(params);
  const bx = new Float32Array(batchSize * dim);
  const by = new Float32Array(batchSize);
  for (let step = 1; step <= steps; step++) {
    for (let r = 0; r < batchSize; r++) {
      const row = rng.integer(0, count - 1);
      bx.set(x.subarray(row * dim, (row + 1) * dim), r * dim);
      by[r] = y[row];
    }
    const batch = { x: toEngine(bx, [batchSize, dim]), y: toEngine(by) };
    ({ params, state } = trainStep(params, state, np.array(optimizer.scalars(step)), batch));
  }
  const tensors = treeToHost(params);
  disposeTree(params);
  disposeTree(state);

  const config: RewardModelConfig = {
    format: REWARD_MODEL_FORMAT,
    version: REWARD_MODEL_VERSION,
    target: 'reward',
    observationSpace: encoder.observationSpace.toJSON(),
    actionSpace: encoder.actionSpace.toJSON(),
    hidden,
    activation,
    inputMean,
    inputStd,
    targetMean,
    targetStd,
    datasetId,
  };
  replaceDirectoryAtomic(options.out, (dir) => writeRewardModelFiles(dir, config, tensors));
  const predicted = new HostRewardModel(config, tensors).predict(features, count);
  let mse = 0;
  let variance = 0;
  for (let i = 0; i < count; i++) {
    mse += (predicted[i] - rewards[i]) ** 2;
    variance += (rewards[i] - targetMean) ** 2;
  }
  return { path: options.out, examples: count, mse: mse / count, rewardVariance: variance / count };
}

function readExamples(dataset: Awaited<ReturnType<typeof openDataset>>): { features: Float32Array; rewards: Float64Array; encoder: FeatureEncoder } {
  const encoder = new FeatureEncoder(dataset.observationSpace, dataset.actionSpace);
  const features = new Float32Array(dataset.totalSteps * encoder.dim);
  const rewards = new Float64Array(dataset.totalSteps);
  let row = 0;
  for (const episode of dataset.iterateEpisodes()) {
    for (let t = 0; t < episode.totalSteps; t++, row++) {
      encoder.encode(rowAt(dataset.observationSpace, episode.observations, t), rowAt(dataset.actionSpace, episode.actions, t), features, row);
      rewards[row] = episode.rewards[t];
    }
  }
  return { features, rewards, encoder };
}

/** Per-column mean and standard deviation (population); a constant column gets std 1. */
function columnStats(values: ArrayLike<number>, dim: number): { mean: number[]; std: number[] } {
  const rows = values.length / dim;
  const mean = new Array<number>(dim).fill(0);
  const sq = new Array<number>(dim).fill(0);
  for (let i = 0; i < values.length; i++) mean[i % dim] += values[i] / rows;
  for (let i = 0; i < values.length; i++) sq[i % dim] += (values[i] - mean[i % dim]) ** 2 / rows;
  return { mean, std: sq.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1)) };
}
