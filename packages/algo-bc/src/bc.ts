import { Rng, RlftError, type Algorithm, type Space, type TrainContext, type TrainResult } from '@rlft/core';
import { openDataset } from '@rlft/data';
import { Adam, disposeTree, initEngine, makeTrainStep, np, toEngine, treeFromHost, treeToHost, type AdamState, type HostTensors } from '@rlft/nn';
import { HostMlp, mlpSpecFor, type MlpParams, type MlpPolicySpec } from '@rlft/policy-mlp';
import {
  ObservationNormalizer,
  TrainingClock,
  finalRunMetrics,
  residentMemoryMiB,
  saveTrainingCheckpoint,
  startOrResume,
  yieldToEventLoop,
  type TrainingCounters,
} from '@rlft/training';
import type { BcConfig } from './config.js';
import { readDemonstrations, validationSplit, type Demonstrations } from './demonstrations.js';
import { hostBcLoss, makeBcLoss, type BcBatch } from './loss.js';

export const BC_ID = 'bc';

interface BestSoFar {
  bestLoss: number | null;
  bestEpoch: number;
}

/** Thrown when a dataset was recorded in an environment with other spaces than the one trained for. */
export class DatasetMismatchError extends RlftError {
  constructor(message: string) {
    super('BC_DATASET_MISMATCH', message);
  }
}

/**
 * Behaviour cloning: supervised learning of the dataset's actions from its observations, by
 * shuffled minibatches over the episodes of a training split, keeping the parameters with the
 * lowest validation loss (held-out episodes) and stopping early when it stops falling.
 */
export class BehaviourCloning implements Algorithm<BcConfig> {
  readonly id = BC_ID;
  readonly config: BcConfig;

  constructor(config: BcConfig) {
    this.config = config;
  }

  async train(context: TrainContext): Promise<TrainResult> {
    const config = this.config;
    await initEngine(config.device);

    // --- Data: check the spaces against the env, split by episode, flatten ---
    const dataset = await openDataset(config.dataset);
    let split: { train: number[]; validation: number[] };
    let train: Demonstrations;
    let validation: Demonstrations | undefined;
    let spec: MlpPolicySpec;
    // The split depends on the seed alone (so a resumed run keeps it); training draws from its own stream.
    const trainingRng = Rng.fromSeed(Rng.fromSeed(context.seed).nextSeed());
    try {
      const env = await context.registry.make(context.envId, context.envKwargs);
      try {
        assertSameSpaces(config.dataset, dataset.observationSpace, dataset.actionSpace, context.envId, env.observationSpace, env.actionSpace);
      } finally {
        env.close();
      }
      spec = mlpSpecFor(dataset.observationSpace, dataset.actionSpace, {
        actorHidden: config.hidden_sizes,
        criticHidden: null,
        activation: config.activation,
        obsNormalization: config.normalize_observation ? { clip: config.clip_obs, epsilon: 1e-8 } : null,
      });
      split = validationSplit(dataset.episodeIds, config.validation_fraction, context.seed);
      train = readDemonstrations(dataset, split.train);
      validation = split.validation.length ? readDemonstrations(dataset, split.validation) : undefined;
    } finally {
      dataset.close();
    }
    if (train.count === 0) throw new RangeError(`Dataset ${config.dataset} has no steps in its training split`);

    const obsNormalizer = config.normalize_observation ? new ObservationNormalizer(spec.obsDim, { clip: config.clip_obs }) : undefined;
    if (obsNormalizer) {
      obsNormalizer.update(train.observations, train.count);
      obsNormalizer.normalize(train.observations, train.count, train.observations);
      if (validation) obsNormalizer.normalize(validation.observations, validation.count, validation.observations);
    }

    // --- Model, optimizer (or everything from a checkpoint) ---
    const batchSize = Math.min(config.batch_size, train.count);
    const batchesPerEpoch = Math.floor(train.count / batchSize);
    const optimizer = new Adam({ learningRate: config.learning_rate });
    const trainStep = makeTrainStep(makeBcLoss(spec), optimizer, { maxGradNorm: config.max_grad_norm });
    const start = startOrResume(spec, optimizer, BC_ID, trainingRng, context.resumeFrom);
    const { rng } = start;
    let { params, optimizer: optState } = start;
    let { globalStep, update: epoch, optimizerStep } = start.counters;
    const saved = start.counters as Partial<BestSoFar>;
    let best = { loss: saved.bestLoss ?? Infinity, epoch: saved.bestEpoch ?? epoch };
    const maxSamples = config.total_timesteps ?? Infinity;

    const network = new HostMlp(spec, treeToHost(params));
    // A checkpoint holds the best parameters so far, so a resumed run starts from its best.
    let bestHost: HostTensors | undefined = context.resumeFrom ? treeToHost(params) : undefined;
    const minibatch = new MinibatchBuilder(spec, train, batchSize);
    const order = Array.from({ length: train.count }, (_, i) => i);
    const clock = new TrainingClock(globalStep);
    const memoryAtStart = residentMemoryMiB();
    let lastMetrics: Record<string, number> = {};
    let stoppedEarly = false;

    try {
      while (epoch < config.epochs && globalStep + batchSize <= maxSamples) {
        await yieldToEventLoop();
        if (context.signal.aborted) break;
        epoch++;

        // --- One pass over the shuffled training split ---
        clock.begin();
        rng.shuffle(order);
        let lossSum = 0;
        let batches = 0;
        for (let b = 0; b < batchesPerEpoch && globalStep + batchSize <= maxSamples; b++) {
          optimizerStep++;
          const result = trainStep(params, optState, np.array(optimizer.scalars(optimizerStep, config.learning_rate)), minibatch.build(order, b * batchSize));
          params = result.params;
          optState = result.state;
          lossSum += result.metrics.loss;
          batches++;
          globalStep += batchSize;
        }
        const learnSeconds = clock.end('learn');

        // --- Validation; keep the best parameters ---
        const host = treeToHost(params);
        network.load(host);
        const trainLoss = lossSum / batches;
        const validationLoss = validation ? hostBcLoss(network, validation.observations, validation.actions, validation.count) : trainLoss;
        if (validationLoss < best.loss) {
          best = { loss: validationLoss, epoch };
          bestHost = host;
        }
        lastMetrics = {
          'losses/train': trainLoss,
          ...(validation ? { 'losses/validation': validationLoss } : {}),
          'losses/best': best.loss,
          'charts/epoch': epoch,
          'charts/learning_rate': config.learning_rate,
          'charts/SPS': clock.stepsPerSecond(globalStep),
          'perf/learn_seconds': learnSeconds,
          'perf/rss_mib': residentMemoryMiB(),
        };
        context.logger.log(globalStep, lastMetrics);
        context.onProgress?.({ step: epoch, totalSteps: config.epochs, message: `epoch ${epoch}: train ${trainLoss.toFixed(4)}${validation ? `, validation ${validationLoss.toFixed(4)}` : ''}` });
        if (validation && config.early_stopping_patience > 0 && epoch - best.epoch >= config.early_stopping_patience) {
          stoppedEarly = true;
          break;
        }
      }

      // The checkpoint holds the best parameters seen (the last ones when no epoch improved in this process).
      if (bestHost) {
        const restored = treeFromHost(params, bestHost);
        disposeTree(params);
        params = restored;
      }
      // Besides the common counters: the best validation loss and its epoch, for early stopping after a resume.
      const counters: TrainingCounters & BestSoFar = { globalStep, update: epoch, optimizerStep, episodes: train.episodes, bestLoss: Number.isFinite(best.loss) ? best.loss : null, bestEpoch: best.epoch };
      const checkpoint = saveTrainingCheckpoint(
        context.run.checkpointsDir,
        {
          algorithm: BC_ID,
          envId: context.envId,
          spec,
          params,
          optimizer: optState,
          counters,
          rngs: { train: rng.getState() },
          config,
          ...(obsNormalizer ? { obsNormalizer } : {}),
        },
        config.keep_checkpoints,
      );
      return {
        checkpoint,
        metrics: {
          ...lastMetrics,
          'charts/best_epoch': best.epoch,
          'charts/stopped_early': stoppedEarly ? 1 : 0,
          'charts/train_transitions': train.count,
          'charts/validation_transitions': validation?.count ?? 0,
          ...finalRunMetrics(clock, memoryAtStart, globalStep),
        },
        interrupted: context.signal.aborted,
      };
    } finally {
      disposeAll(params, optState);
    }
  }
}

/** Throw, naming both sides, unless the dataset was recorded with the env's spaces. */
export function assertSameSpaces(datasetPath: string, datasetObs: Space, datasetAct: Space, envId: string, envObs: Space, envAct: Space): void {
  const mismatches: string[] = [];
  if (JSON.stringify(datasetObs.toJSON()) !== JSON.stringify(envObs.toJSON())) {
    mismatches.push(`observation space: dataset ${datasetObs.toString()}, ${envId} ${envObs.toString()}`);
  }
  if (JSON.stringify(datasetAct.toJSON()) !== JSON.stringify(envAct.toJSON())) {
    mismatches.push(`action space: dataset ${datasetAct.toString()}, ${envId} ${envAct.toString()}`);
  }
  if (mismatches.length) {
    throw new DatasetMismatchError(`Dataset ${datasetPath} was not recorded in an environment like ${envId}: ${mismatches.join('; ')}. Clone it with the env it was collected in.`);
  }
}

/** Gathers shuffled rows into fixed-size host buffers and uploads them (fixed shapes: one compile). */
class MinibatchBuilder {
  private readonly spec: MlpPolicySpec;
  private readonly data: Demonstrations;
  private readonly size: number;
  private readonly obs: Float32Array<ArrayBuffer>;
  private readonly targets: Float32Array<ArrayBuffer>;
  private readonly width: number;

  constructor(spec: MlpPolicySpec, data: Demonstrations, size: number) {
    this.spec = spec;
    this.data = data;
    this.size = size;
    this.width = spec.action.type === 'discrete' ? spec.action.n : spec.action.dim;
    this.obs = new Float32Array(size * data.obsDim);
    this.targets = new Float32Array(size * this.width);
  }

  build(order: readonly number[], start: number): BcBatch {
    const { data, size, width } = this;
    const obsDim = data.obsDim;
    const discrete = this.spec.action.type === 'discrete';
    if (discrete) this.targets.fill(0);
    for (let k = 0; k < size; k++) {
      const i = order[start + k];
      this.obs.set(data.observations.subarray(i * obsDim, (i + 1) * obsDim), k * obsDim);
      if (discrete) this.targets[k * width + data.actions[i]] = 1;
      else this.targets.set(data.actions.subarray(i * width, (i + 1) * width), k * width);
    }
    return { obs: toEngine(this.obs, [size, obsDim]), targets: toEngine(this.targets, [size, width]) };
  }
}

function disposeAll(params: MlpParams, state: AdamState<MlpParams>): void {
  disposeTree(params);
  disposeTree(state.m);
  disposeTree(state.v);
}
