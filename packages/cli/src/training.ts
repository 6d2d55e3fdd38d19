import { MetricsLogger, RlftError, type AlgorithmContribution, type EnvRegistry, type PluginHost, type RunDirectory, type TrainProgress, type TrainResult } from '@rlft/core';

/** Algorithms arrive through plugins; with none loaded, `rlft run` has nothing to offer. */
export class NoAlgorithmsError extends RlftError {
  constructor() {
    super(
      'NO_ALGORITHMS',
      'No training algorithms are registered yet. Algorithms come from plugins (rlft plugins install <package>); ' +
        'until one is installed, `rlft eval` measures the baseline policies on any environment.',
    );
  }
}

/** The algorithms the plugins provide; none at all is an error of its own. */
export function availableAlgorithms(host: PluginHost): (AlgorithmContribution & { plugin: string })[] {
  const algorithms = host.algorithms();
  if (algorithms.length === 0) throw new NoAlgorithmsError();
  return algorithms;
}

export interface TrainingRequest {
  algorithm: AlgorithmContribution;
  /** The algorithm's config, already validated by its schema. */
  config: Record<string, unknown>;
  registry: EnvRegistry;
  /** The canonical env id (aliases resolved) and its validated kwargs. */
  envId: string;
  envKwargs: Record<string, unknown>;
  seed: number;
  run: RunDirectory;
  /** A checkpoint directory to continue from. */
  resumeFrom?: string;
  signal: AbortSignal;
  onProgress?(progress: TrainProgress): void;
}

export interface TrainingOutcome {
  result: TrainResult;
  /** Environment steps done by the end (including those before a resume), when known. */
  steps: number | null;
  /** Wall-clock seconds of this invocation's training (creation of the algorithm included). */
  wallSeconds: number;
}

/** Create the algorithm and train it in `run`, timing it and noting the last step reached. */
export async function trainInRun(request: TrainingRequest): Promise<TrainingOutcome> {
  const started = performance.now();
  let lastReported: number | undefined;
  const algorithm = await request.algorithm.create(request.config);
  const result = await algorithm.train({
    registry: request.registry,
    envId: request.envId,
    envKwargs: request.envKwargs,
    seed: request.seed,
    run: request.run,
    logger: request.run.logger,
    signal: request.signal,
    ...(request.resumeFrom !== undefined ? { resumeFrom: request.resumeFrom } : {}),
    onProgress: (progress) => {
      lastReported = progress.step;
      request.onProgress?.(progress);
    },
  });
  const wallSeconds = (performance.now() - started) / 1000;
  return { result, steps: finalStep(request.run, lastReported), wallSeconds };
}

/** The furthest step known: the last progress report or the last metrics record, whichever is later. */
function finalStep(run: RunDirectory, lastReported: number | undefined): number | null {
  const records = MetricsLogger.read(run.logger.path);
  const logged = records.length ? records[records.length - 1]!.step : undefined;
  const known = [lastReported, logged].filter((s): s is number => typeof s === 'number' && Number.isFinite(s));
  return known.length ? Math.max(...known) : null;
}
