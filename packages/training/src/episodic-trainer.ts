import { Rng, z, type TrainContext, type TrainResult } from '@rlft/core';
import { Adam, disposeTree, initEngine, makeTrainStep, np, toEngine, treeToHost, type AdamState, type LossAux } from '@rlft/nn';
import { HostActorCritic, mlpSpecFor, type MlpParams, type MlpPolicySpec } from '@rlft/policy-mlp';
import { ActionLayout } from './acting.js';
import { saveTrainingCheckpoint, startOrResume } from './checkpointing.js';
import { TrainingClock, finalRunMetrics, residentMemoryMiB, yieldToEventLoop } from './clock.js';
import { buildStepBatch, EpisodeCollector, type Episode, type StepBatch } from './episodes.js';
import { ObservationFlattener } from './observations.js';

/** Config keys every episode-based algorithm (REINFORCE, GRPO) shares. */
export const episodicConfigShape = {
  total_timesteps: z.number().int().positive().default(100_000).describe('environment steps to train for'),
  learning_rate: z.number().positive().default(1e-3).describe('Adam learning rate'),
  anneal_lr: z.boolean().default(false).describe('anneal the learning rate linearly to 0 over the run'),
  adam_eps: z.number().positive().default(1e-8).describe('Adam ε'),
  max_grad_norm: z.number().positive().nullable().default(1.0).describe('global gradient-norm clip (null: none)'),
  hidden_sizes: z.array(z.number().int().positive()).min(1).default([64, 64]).describe('hidden layer sizes'),
  activation: z.enum(['tanh', 'relu']).default('tanh').describe('hidden activation'),
  checkpoint_every: z.number().int().min(0).default(50).describe('write a checkpoint every N updates (0: only at the end and on Ctrl-C)'),
  keep_checkpoints: z.number().int().positive().default(3).describe('how many checkpoints to keep'),
  device: z.enum(['wasm', 'webgpu']).default('wasm').describe('tensor engine device'),
  vectorization: z.enum(['auto', 'sync', 'async']).default('auto').describe("'auto': the env's native batched implementation when it has one, else synchronous"),
};

export interface EpisodicConfig {
  total_timesteps: number;
  learning_rate: number;
  anneal_lr: boolean;
  adam_eps: number;
  max_grad_norm: number | null;
  hidden_sizes: number[];
  activation: 'tanh' | 'relu';
  checkpoint_every: number;
  keep_checkpoints: number;
  device: 'wasm' | 'webgpu';
  vectorization: 'auto' | 'sync' | 'async';
}

/** A step batch on the engine. Arrays are consumed by the loss. */
export type EngineStepBatch = {
  obs: np.Array;
  actions: np.Array;
  oldLogProbs: np.Array;
  advantages: np.Array;
  weights: np.Array;
  returns: np.Array;
};

/** How one round of episodes becomes a loss: per-step advantages and weights, plus metrics. */
export interface RoundPlan {
  advantage(episode: number, step: number): number;
  weight(episode: number, step: number): number;
  returnToGo?(episode: number, step: number): number;
  metrics: Record<string, number>;
}

/** What distinguishes one episode-based algorithm from another. */
export interface EpisodicAlgorithmDefinition {
  id: string;
  config: EpisodicConfig;
  /** Envs stepped in parallel: one episode each per round. */
  numEnvs: number;
  /** Whether the policy has a value head (REINFORCE's learned baseline). */
  withCritic: boolean;
  /** Optimisation steps on each round's batch. */
  iterations: number;
  /** Reset seeds for a round, one per env (GRPO repeats each group's seed). */
  seedsForRound(rng: Rng): number[];
  plan(episodes: readonly Episode[], network: HostActorCritic, context: { maxEpisodeSteps: number | undefined }): RoundPlan;
  makeLoss(spec: MlpPolicySpec): (params: MlpParams, batch: EngineStepBatch) => [np.Array, LossAux];
}

/**
 * The shared loop of episode-based policy-gradient algorithms: collect one episode per env,
 * turn them into a weighted step batch, take `iterations` optimiser steps, refresh the host
 * policy, log CleanRL-style metrics, checkpoint (and resume) like PPO.
 */
export async function trainEpisodic(definition: EpisodicAlgorithmDefinition, context: TrainContext): Promise<TrainResult> {
  const { config, id } = definition;
  await initEngine(config.device);
  const mode = config.vectorization === 'auto' ? undefined : config.vectorization;
  const env = await context.registry.makeVec(context.envId, definition.numEnvs, {
    kwargs: context.envKwargs,
    autoresetMode: 'next-step',
    ...(mode ? { vectorizationMode: mode } : {}),
  });
  const maxEpisodeSteps = context.registry.spec(context.envId).maxEpisodeSteps;
  const spec = mlpSpecFor(env.singleObservationSpace, env.singleActionSpace, {
    actorHidden: config.hidden_sizes,
    criticHidden: definition.withCritic ? config.hidden_sizes : null,
    activation: config.activation,
    obsNormalization: null,
  });
  const optimizer = new Adam({ learningRate: config.learning_rate, eps: config.adam_eps });
  const trainStep = makeTrainStep(definition.makeLoss(spec), optimizer, config.max_grad_norm === null ? {} : { maxGradNorm: config.max_grad_norm });

  const start = startOrResume(spec, optimizer, id, Rng.fromSeed(context.seed), context.resumeFrom);
  const { rng } = start;
  let { params, optimizer: optState } = start;
  let { globalStep, update, optimizerStep, episodes } = start.counters;

  const network = new HostActorCritic(spec, treeToHost(params));
  const flattener = new ObservationFlattener(env.singleObservationSpace, definition.numEnvs);
  const layout = new ActionLayout(env.singleActionSpace, definition.numEnvs);
  const collector = new EpisodeCollector(env, flattener, layout);
  const actionWidth = spec.action.type === 'discrete' ? spec.action.n : spec.action.dim;
  const clock = new TrainingClock(globalStep);
  const memoryAtStart = residentMemoryMiB();
  const recentReturns: number[] = [];
  let checkpoint: string | undefined;
  const save = (): void => {
    checkpoint = saveTrainingCheckpoint(
      context.run.checkpointsDir,
      { algorithm: id, envId: context.envId, spec, params, optimizer: optState, counters: { globalStep, update, optimizerStep, episodes }, rngs: { train: rng.getState() }, config },
      config.keep_checkpoints,
    );
  };

  let metrics: Record<string, number> = {};
  try {
    while (globalStep < config.total_timesteps) {
      await yieldToEventLoop();
      if (context.signal.aborted) break;
      update++;
      const learningRate = config.anneal_lr ? config.learning_rate * Math.max(0, 1 - globalStep / config.total_timesteps) : config.learning_rate;
      clock.begin();
      const round = collector.collect(network, rng, definition.seedsForRound(rng));
      const rolloutSeconds = clock.end('rollout');
      globalStep += round.reduce((s, e) => s + e.length, 0);
      episodes += round.length;
      for (const e of round) {
        recentReturns.push(e.return);
        if (recentReturns.length > 100) recentReturns.shift();
      }

      clock.begin();
      const plan = definition.plan(round, network, { maxEpisodeSteps });
      const host = buildStepBatch(round, { obsDim: spec.obsDim, actionWidth, discrete: spec.action.type === 'discrete', ...plan });
      const sums: Record<string, number> = {};
      for (let iteration = 0; iteration < definition.iterations; iteration++) {
        optimizerStep++;
        const result = trainStep(params, optState, np.array(optimizer.scalars(optimizerStep, learningRate)), uploadStepBatch(host, spec.obsDim, actionWidth));
        params = result.params;
        optState = result.state;
        for (const [key, value] of Object.entries(result.metrics)) sums[key] = (sums[key] ?? 0) + value;
      }
      network.load(treeToHost(params));
      const learnSeconds = clock.end('learn');

      metrics = {
        'charts/episodic_return': round.reduce((s, e) => s + e.return, 0) / round.length,
        'charts/episodic_length': round.reduce((s, e) => s + e.length, 0) / round.length,
        'charts/mean_return_last_20': mean(recentReturns.slice(-20)),
        'charts/learning_rate': learningRate,
        'charts/SPS': clock.stepsPerSecond(globalStep),
        'charts/episodes': episodes,
        ...Object.fromEntries(Object.entries(sums).map(([k, v]) => [`losses/${k}`, v / definition.iterations])),
        ...plan.metrics,
        'perf/rollout_seconds': rolloutSeconds,
        'perf/learn_seconds': learnSeconds,
        'perf/rss_mib': residentMemoryMiB(),
      };
      context.logger.log(globalStep, metrics);
      context.onProgress?.({ step: globalStep, totalSteps: config.total_timesteps, episodes, meanReturn: mean(recentReturns.slice(-20)) });
      if (config.checkpoint_every > 0 && update % config.checkpoint_every === 0) save();
    }
    save();
  } finally {
    env.close();
  }
  disposeTree(params);
  disposeTree(optState.m);
  disposeTree(optState.v);
  return { checkpoint, metrics: { ...metrics, ...finalRunMetrics(clock, memoryAtStart, globalStep) }, interrupted: context.signal.aborted };
}

function uploadStepBatch(host: StepBatch, obsDim: number, actionWidth: number): EngineStepBatch {
  return {
    obs: toEngine(host.obs).reshape([host.size, obsDim]),
    actions: toEngine(host.actions).reshape([host.size, actionWidth]),
    oldLogProbs: toEngine(host.logProbs),
    advantages: toEngine(host.advantages),
    weights: toEngine(host.weights),
    returns: toEngine(host.returns),
  };
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : NaN;
}
