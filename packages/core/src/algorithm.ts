import type { MetricsLogger } from './run/metrics-logger.js';
import type { RunDirectory } from './run/run-directory.js';
import type { EnvRegistry } from './registry.js';

/** Everything an algorithm needs from the host to train. */
export interface TrainContext {
  registry: EnvRegistry;
  envId: string;
  envKwargs: Record<string, unknown>;
  seed: number;
  run: RunDirectory;
  logger: MetricsLogger;
  /** Aborted on Ctrl-C: the algorithm saves a checkpoint and returns. */
  signal: AbortSignal;
  /** A checkpoint directory to continue from (`rlft run --resume`). */
  resumeFrom?: string;
  /** Progress for the terminal: called often, cheap to ignore. */
  onProgress?(progress: TrainProgress): void;
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  episodes?: number;
  meanReturn?: number;
  message?: string;
}

export interface TrainResult {
  /** Directory of the last checkpoint written. */
  checkpoint?: string;
  /** Final metrics (for the run summary). */
  metrics: Record<string, number>;
  /** True when stopped early by the abort signal. */
  interrupted: boolean;
  /**
   * The policy that plays the result in the final evaluation and the options it takes, when not
   * the MLP checkpoint policy (`mlp` with `checkpoint`): e.g. `llm` with `model`. `flags` is how
   * `rlft eval` is told the same (for the "evaluate again" hint).
   */
  evaluation?: { policy: string; options: Record<string, unknown>; flags: string };
}

/**
 * Trains a policy against environments or datasets. Its config is validated by the
 * contribution's schema before `create`; checkpoints are written atomically and resumable.
 */
export interface Algorithm<Config = unknown> {
  readonly id: string;
  readonly config: Config;
  train(context: TrainContext): Promise<TrainResult>;
}
