// What the algorithm tests need to call `train(context)` the way `rlft run` does: a registry with
// the classic-control envs, a run directory under a temporary root, and a TrainContext.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvRegistry, MetricsLogger, RunDirectory, type TrainContext, type TrainProgress } from '@rlft/core';
import classicPlugin from '@rlft/envs-classic/plugin';

export function classicRegistry(): EnvRegistry {
  const registry = new EnvRegistry();
  for (const registration of classicPlugin.envs ?? []) registry.register(registration, classicPlugin.name);
  return registry;
}

/** A fresh temporary directory (the caller removes it). */
export function temporaryRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rlft-${prefix}-`));
}

/** A new run directory `name` under `root`, with its config written (so that `RunDirectory.open` accepts it). */
export function newRun(root: string, name: string, config: unknown): RunDirectory {
  const run = RunDirectory.create(root, name, { exact: true });
  run.writeConfig(config);
  return run;
}

export interface ContextOptions {
  envId: string;
  seed?: number;
  signal?: AbortSignal;
  resumeFrom?: string;
  onProgress?(progress: TrainProgress): void;
}

export function trainContext(registry: EnvRegistry, run: RunDirectory, options: ContextOptions): TrainContext {
  return {
    registry,
    envId: options.envId,
    envKwargs: {},
    seed: options.seed ?? 0,
    run,
    logger: run.logger,
    signal: options.signal ?? new AbortController().signal,
    ...(options.resumeFrom ? { resumeFrom: options.resumeFrom } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}

/** The records of a run's metrics.jsonl. */
export function metricsOf(run: RunDirectory): ReturnType<typeof MetricsLogger.read> {
  return MetricsLogger.read(run.logger.path);
}

/** Keys whose value is not a finite number (the logger writes NaN and ±Infinity as strings). */
export function nonFiniteKeys(record: Record<string, unknown>): string[] {
  return Object.entries(record)
    .filter(([, value]) => typeof value !== 'number' || !Number.isFinite(value))
    .map(([key]) => key);
}

/** An AbortController that aborts once training reports `step` ≥ `afterStep` (as Ctrl-C would). */
export function abortAfter(afterStep: number): { controller: AbortController; onProgress(progress: TrainProgress): void } {
  const controller = new AbortController();
  return {
    controller,
    onProgress: (progress) => {
      if (progress.step >= afterStep) controller.abort();
    },
  };
}
