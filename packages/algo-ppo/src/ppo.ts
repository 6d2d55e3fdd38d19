import { Rng, type Algorithm, type TrainContext, type TrainResult, type VectorEnv } from '@rlft/core';
import { Adam, computeGae, disposeTree, initEngine, makeTrainStep, np, toEngine, treeToHost, type AdamState } from '@rlft/nn';
import { HostActorCritic, mlpSpecFor, type MlpParams, type MlpPolicySpec } from '@rlft/policy-mlp';
import {
  ActionLayout,
  ActorCriticCollector,
  EpisodeStats,
  ObservationFlattener,
  ObservationNormalizer,
  finalRunMetrics,
  RewardNormalizer,
  RolloutBuffer,
  TrainingClock,
  residentMemoryMiB,
  saveTrainingCheckpoint,
  startOrResume,
  yieldToEventLoop,
} from '@rlft/training';
import type { PpoConfig } from './config.js';
import { makePpoLoss, type PpoBatch } from './loss.js';

export const PPO_ID = 'ppo';

/**
 * Proximal Policy Optimization (Schulman et al. 2017) for MLP actor-critics, following
 * CleanRL's `ppo.py` / `ppo_continuous_action.py`: vectorised rollouts, GAE, several epochs of
 * shuffled minibatches on the clipped objective, linear learning-rate annealing.
 */
export class Ppo implements Algorithm<PpoConfig> {
  readonly id = PPO_ID;
  readonly config: PpoConfig;

  constructor(config: PpoConfig) {
    this.config = config;
  }

  async train(context: TrainContext): Promise<TrainResult> {
    const config = this.config;
    await initEngine(config.device);

    // --- Setup: envs, policy spec, parameters, optimizer (or everything from a checkpoint) ---
    const env = await makeTrainingEnv(context, config);
    const spec = mlpSpecFor(env.singleObservationSpace, env.singleActionSpace, {
      actorHidden: config.hidden_sizes,
      criticHidden: config.hidden_sizes,
      activation: config.activation,
      obsNormalization: config.normalize_observation ? { clip: config.clip_obs, epsilon: 1e-8 } : null,
    });
    const batchSize = config.num_envs * config.num_steps;
    const minibatchSize = batchSize / config.num_minibatches;
    const numUpdates = Math.max(1, Math.floor(config.total_timesteps / batchSize));
    const optimizer = new Adam({ learningRate: config.learning_rate, eps: config.adam_eps });
    const trainStep = makeTrainStep(makePpoLoss(spec, config), optimizer, { maxGradNorm: config.max_grad_norm });
    const obsNormalizer = config.normalize_observation ? new ObservationNormalizer(spec.obsDim, { clip: config.clip_obs }) : undefined;
    const rewardNormalizer = config.normalize_reward
      ? new RewardNormalizer(config.num_envs, { gamma: config.gamma, clip: config.clip_reward })
      : undefined;

    const start = startOrResume(spec, optimizer, PPO_ID, Rng.fromSeed(context.seed), context.resumeFrom);
    const { rng, restored } = start;
    let { params, optimizer: optState } = start;
    let { globalStep, update, optimizerStep, episodes: episodesBefore } = start.counters;
    if (obsNormalizer && restored?.obsRms) obsNormalizer.setState(restored.obsRms);
    if (rewardNormalizer && restored?.rewardRms) rewardNormalizer.setState(restored.rewardRms);

    const network = new HostActorCritic(spec, treeToHost(params));
    const stats = new EpisodeStats(config.num_envs, 100);
    const flattener = new ObservationFlattener(env.singleObservationSpace, config.num_envs);
    const actionLayout = new ActionLayout(env.singleActionSpace, config.num_envs);
    const collector = new ActorCriticCollector({ env, flattener, actions: actionLayout, stats, gamma: config.gamma, obsNormalizer, rewardNormalizer });
    const buffer = new RolloutBuffer(config.num_steps, config.num_envs, spec.obsDim, actionLayout.size);
    const minibatch = new MinibatchBuilder(spec, buffer, minibatchSize);
    collector.reset(rng.nextSeed());

    const clock = new TrainingClock(globalStep);
    const memoryAtStart = residentMemoryMiB();
    let checkpoint: string | undefined;
    const save = (): string =>
      (checkpoint = saveTrainingCheckpoint(
        context.run.checkpointsDir,
        {
          algorithm: PPO_ID,
          envId: context.envId,
          spec,
          params,
          optimizer: optState,
          counters: { globalStep, update, optimizerStep, episodes: episodesBefore + stats.totalEpisodes },
          rngs: { train: rng.getState() },
          config,
          ...(obsNormalizer ? { obsNormalizer } : {}),
          ...(rewardNormalizer ? { rewardNormalizer } : {}),
        },
        config.keep_checkpoints,
      ));

    let lastMetrics: Record<string, number> = {};
    try {
      while (update < numUpdates) {
        await yieldToEventLoop();
        if (context.signal.aborted) break;
        update++;
        const lrFraction = config.anneal_lr ? 1 - (update - 1) / numUpdates : 1;
        const learningRate = lrFraction * config.learning_rate;

        // --- Rollout with the host copy of the policy ---
        clock.begin();
        const lastValues = collector.collect(network, rng, buffer);
        globalStep += batchSize;
        const rolloutSeconds = clock.end('rollout');

        // --- Advantages (GAE) and returns ---
        const { advantages, returns } = computeGae({
          rewards: buffer.rewards,
          values: buffer.values,
          dones: buffer.dones,
          lastValues,
          gamma: config.gamma,
          lambda: config.gae_lambda,
          numEnvs: config.num_envs,
        });

        // --- Optimise the clipped objective over shuffled minibatches ---
        clock.begin();
        const order = Array.from({ length: batchSize }, (_, i) => i);
        const sums: Record<string, number> = {};
        let count = 0;
        let approxKl = 0;
        epochs: for (let epoch = 0; epoch < config.update_epochs; epoch++) {
          rng.shuffle(order);
          for (let start = 0; start < batchSize; start += minibatchSize) {
            const batch = minibatch.build(order, start, advantages, returns);
            optimizerStep++;
            const result = trainStep(params, optState, np.array(optimizer.scalars(optimizerStep, learningRate)), batch);
            params = result.params;
            optState = result.state;
            for (const [key, value] of Object.entries(result.metrics)) sums[key] = (sums[key] ?? 0) + value;
            count++;
            approxKl = sums.approx_kl / count;
            if (config.target_kl !== null && approxKl > config.target_kl) break epochs;
          }
        }
        network.load(treeToHost(params));
        const learnSeconds = clock.end('learn');

        // --- Logging (CleanRL's keys) ---
        const finished = stats.drain();
        lastMetrics = {
          'charts/learning_rate': learningRate,
          'charts/SPS': clock.stepsPerSecond(globalStep),
          'charts/episodes': episodesBefore + stats.totalEpisodes,
          'losses/policy_loss': sums.pg_loss / count,
          'losses/value_loss': sums.v_loss / count,
          'losses/entropy': sums.entropy / count,
          'losses/old_approx_kl': sums.old_approx_kl / count,
          'losses/approx_kl': approxKl,
          'losses/clipfrac': sums.clipfrac / count,
          'losses/grad_norm': sums.grad_norm / count,
          'losses/explained_variance': explainedVariance(buffer.values, returns),
          'perf/rollout_seconds': rolloutSeconds,
          'perf/learn_seconds': learnSeconds,
          'perf/rss_mib': residentMemoryMiB(),
        };
        if (finished.length) {
          lastMetrics['charts/episodic_return'] = finished.reduce((s, e) => s + e.return, 0) / finished.length;
          lastMetrics['charts/episodic_length'] = finished.reduce((s, e) => s + e.length, 0) / finished.length;
        }
        if (stats.windowCount) lastMetrics['charts/mean_return_last_20'] = stats.recentMeanReturn(20);
        context.logger.log(globalStep, lastMetrics);
        context.onProgress?.({ step: globalStep, totalSteps: numUpdates * batchSize, episodes: episodesBefore + stats.totalEpisodes, meanReturn: stats.recentMeanReturn(20) });

        if (config.checkpoint_every > 0 && update % config.checkpoint_every === 0) save();
      }
      save();
    } finally {
      env.close();
    }
    disposeAll(params, optState);
    return { checkpoint, metrics: { ...lastMetrics, ...finalRunMetrics(clock, memoryAtStart, globalStep) }, interrupted: context.signal.aborted };
  }
}

/** The training vector env: same-step autoreset (to bootstrap truncations), the env's native batched version when allowed. */
async function makeTrainingEnv(context: TrainContext, config: PpoConfig): Promise<VectorEnv> {
  const mode = config.vectorization === 'auto' ? undefined : config.vectorization;
  return context.registry.makeVec(context.envId, config.num_envs, {
    kwargs: context.envKwargs,
    autoresetMode: 'same-step',
    ...(mode ? { vectorizationMode: mode } : {}),
  });
}

/** Gathers shuffled minibatches from a rollout into host buffers and uploads them (fixed shapes: one compile). */
class MinibatchBuilder {
  private readonly spec: MlpPolicySpec;
  private readonly buffer: RolloutBuffer;
  private readonly size: number;
  private readonly obs: Float32Array;
  private readonly actions: Float32Array;
  private readonly oldLogProbs: Float32Array;
  private readonly advantages: Float32Array;
  private readonly returns: Float32Array;
  private readonly oldValues: Float32Array;
  private readonly actionWidth: number;

  constructor(spec: MlpPolicySpec, buffer: RolloutBuffer, size: number) {
    this.spec = spec;
    this.buffer = buffer;
    this.size = size;
    this.actionWidth = spec.action.type === 'discrete' ? spec.action.n : spec.action.dim;
    this.obs = new Float32Array(size * buffer.obsDim);
    this.actions = new Float32Array(size * this.actionWidth);
    this.oldLogProbs = new Float32Array(size);
    this.advantages = new Float32Array(size);
    this.returns = new Float32Array(size);
    this.oldValues = new Float32Array(size);
  }

  build(order: readonly number[], start: number, advantages: Float32Array, returns: Float32Array): PpoBatch {
    const { buffer, size, actionWidth } = this;
    const obsDim = buffer.obsDim;
    this.actions.fill(0);
    for (let k = 0; k < size; k++) {
      const i = order[start + k];
      this.obs.set(buffer.obs.subarray(i * obsDim, (i + 1) * obsDim), k * obsDim);
      if (this.spec.action.type === 'discrete') this.actions[k * actionWidth + buffer.actions[i]] = 1;
      else this.actions.set(buffer.actions.subarray(i * actionWidth, (i + 1) * actionWidth), k * actionWidth);
      this.oldLogProbs[k] = buffer.logProbs[i];
      this.advantages[k] = advantages[i];
      this.returns[k] = returns[i];
      this.oldValues[k] = buffer.values[i];
    }
    return {
      obs: toEngine(this.obs, [size, obsDim]),
      actions: toEngine(this.actions, [size, actionWidth]),
      oldLogProbs: toEngine(this.oldLogProbs),
      advantages: toEngine(this.advantages),
      returns: toEngine(this.returns),
      oldValues: toEngine(this.oldValues),
    };
  }
}

/** 1 − Var(returns − values) / Var(returns): how much of the return the critic explains. */
function explainedVariance(values: Float32Array, returns: Float32Array): number {
  let meanR = 0;
  let meanD = 0;
  const n = returns.length;
  for (let i = 0; i < n; i++) {
    meanR += returns[i];
    meanD += returns[i] - values[i];
  }
  meanR /= n;
  meanD /= n;
  let varR = 0;
  let varD = 0;
  for (let i = 0; i < n; i++) {
    varR += (returns[i] - meanR) ** 2;
    varD += (returns[i] - values[i] - meanD) ** 2;
  }
  return varR === 0 ? NaN : 1 - varD / varR;
}

function disposeAll(params: MlpParams, state: AdamState<MlpParams>): void {
  disposeTree(params);
  disposeTree(state.m);
  disposeTree(state.v);
}
