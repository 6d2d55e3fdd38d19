import { join } from 'node:path';
import type { RngState, RunningMeanStdState } from '@rlft/core';
import {
  loadCheckpoint,
  pruneCheckpoints,
  disposeTree,
  restoreOptimizerState,
  saveCheckpoint,
  type Adam,
  treeFromHost,
  type AdamState,
  type HostTensors,
  type TreeLike,
} from '@rlft/nn';
import { initMlpParams, type MlpParams, type MlpPolicySpec } from '@rlft/policy-mlp';
import { Rng } from '@rlft/core';
import type { ObservationNormalizer, RewardNormalizer } from './normalizers.js';

/** Progress counters saved with every checkpoint. */
export interface TrainingCounters {
  /** Environment steps taken (all envs together). */
  globalStep: number;
  /** Policy updates (rollout + optimisation rounds) done. */
  update: number;
  /** Optimizer steps taken: Adam's bias correction depends on it. */
  optimizerStep: number;
  episodes: number;
}

/** Everything a policy-gradient run needs to continue where it stopped. */
export interface TrainingSnapshot<P extends TreeLike> {
  algorithm: string;
  envId: string;
  spec: MlpPolicySpec;
  params: P;
  optimizer: AdamState<P>;
  counters: TrainingCounters;
  rngs: Record<string, RngState>;
  config: unknown;
  obsNormalizer?: ObservationNormalizer;
  rewardNormalizer?: RewardNormalizer;
}

/** Checkpoint directory name for a global step; zero-padded so names sort by step. */
export function checkpointName(globalStep: number): string {
  return `step-${String(globalStep).padStart(12, '0')}`;
}

/**
 * Write a checkpoint that `MlpPolicy.fromCheckpoint` can act from and the algorithm can resume
 * from: parameters (+ `obs_rms.*` statistics), Adam moments, counters, RNG states, config and
 * the policy spec. Keeps the newest `keep` checkpoints. Returns the directory written.
 */
export function saveTrainingCheckpoint<P extends TreeLike>(checkpointsDir: string, snapshot: TrainingSnapshot<P>, keep: number): string {
  const dir = join(checkpointsDir, checkpointName(snapshot.counters.globalStep));
  const extraTensors: HostTensors = new Map();
  const obsRms = snapshot.obsNormalizer?.getState();
  if (obsRms) {
    extraTensors.set('obs_rms.mean', { shape: [obsRms.mean.length], data: Float32Array.from(obsRms.mean) });
    extraTensors.set('obs_rms.var', { shape: [obsRms.var.length], data: Float32Array.from(obsRms.var) });
  }
  saveCheckpoint(dir, {
    params: snapshot.params,
    extraTensors,
    optimizer: { m: snapshot.optimizer.m, v: snapshot.optimizer.v },
    counters: { ...snapshot.counters },
    rngs: snapshot.rngs,
    config: snapshot.config,
    metadata: {
      algorithm: snapshot.algorithm,
      envId: snapshot.envId,
      policy: snapshot.spec,
      // Exact float64 statistics for resuming; the f32 tensors above serve inference and export.
      ...(obsRms ? { obsRms, obsRmsCount: obsRms.count } : {}),
      ...(snapshot.rewardNormalizer ? { rewardRms: snapshot.rewardNormalizer.getState() } : {}),
    },
  });
  pruneCheckpoints(checkpointsDir, keep);
  return dir;
}

export interface RestoredTraining<P extends TreeLike> {
  params: P;
  optimizer: AdamState<P>;
  /** The standard counters, plus any others the algorithm saved (e.g. BC's best validation loss). */
  counters: TrainingCounters & Record<string, number>;
  rngs: Record<string, RngState>;
  obsRms?: RunningMeanStdState;
  rewardRms?: RunningMeanStdState & { discounted?: number[] };
  metadata: Record<string, unknown>;
}

/** Load a checkpoint written by `saveTrainingCheckpoint` into arrays shaped like `like` (not consumed). */
export function loadTrainingCheckpoint<P extends TreeLike>(dir: string, like: P, algorithm: string): RestoredTraining<P> {
  const loaded = loadCheckpoint(dir);
  const metadata = (loaded.metadata ?? {}) as Record<string, unknown>;
  if (metadata.algorithm !== algorithm) {
    throw new Error(`Checkpoint ${dir} was written by '${String(metadata.algorithm)}', not '${algorithm}'; resume it with --algo ${String(metadata.algorithm)}`);
  }
  if (!loaded.optimizerTensors) throw new Error(`Checkpoint ${dir} has no optimizer state (optimizer.safetensors), so training cannot resume from it`);
  const counters = loaded.counters as Partial<TrainingCounters>;
  return {
    params: treeFromHost(like, loaded.tensors),
    optimizer: restoreOptimizerState(like, loaded.optimizerTensors) as AdamState<P>,
    counters: { ...loaded.counters, globalStep: counters.globalStep ?? 0, update: counters.update ?? 0, optimizerStep: counters.optimizerStep ?? 0, episodes: counters.episodes ?? 0 },
    rngs: loaded.rngs ?? {},
    ...(metadata.obsRms ? { obsRms: metadata.obsRms as RunningMeanStdState } : {}),
    ...(metadata.rewardRms ? { rewardRms: metadata.rewardRms as RestoredTraining<P>['rewardRms'] } : {}),
    metadata,
  };
}

/** Where a run starts: fresh parameters, or everything a checkpoint saved. */
export interface TrainingStart {
  params: MlpParams;
  optimizer: AdamState<MlpParams>;
  counters: TrainingCounters & Record<string, number>;
  /** The training generator: the given one, or the checkpoint's saved stream. */
  rng: Rng;
  restored?: RestoredTraining<MlpParams>;
}

/**
 * Initialise an MLP policy's parameters and Adam state from `rng` or, when `resumeFrom` names a
 * checkpoint of `algorithm`, restore parameters, moments, counters and the RNG stream from it
 * (normaliser statistics are in `restored` for the caller to apply).
 */
export function startOrResume(spec: MlpPolicySpec, optimizer: Adam, algorithm: string, rng: Rng, resumeFrom?: string): TrainingStart {
  const params = initMlpParams(spec, rng) as MlpParams;
  const state = optimizer.init(params);
  if (!resumeFrom) {
    return { params, optimizer: state, counters: { globalStep: 0, update: 0, optimizerStep: 0, episodes: 0 }, rng };
  }
  const restored = loadTrainingCheckpoint(resumeFrom, params, algorithm);
  disposeTree(params);
  disposeTree(state.m);
  disposeTree(state.v);
  return {
    params: restored.params,
    optimizer: restored.optimizer,
    counters: restored.counters,
    rng: restored.rngs.train ? Rng.fromState(restored.rngs.train) : rng,
    restored,
  };
}
