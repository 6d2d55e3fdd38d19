import { existsSync } from 'node:fs';
import {
  parseOptions,
  RlftError,
  RunDirectory,
  type AlgorithmContribution,
  type PluginHost,
  type TrainProgress,
  type TrainResult,
} from '@rlft/core';

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

export interface TrainingRequest {
  algorithm: AlgorithmContribution;
  envId: string;
  envKwargs: Record<string, unknown>;
  config: Record<string, unknown>;
  seed: number;
  /** Directory under which the run directory is created. */
  runsRoot: string;
  resumeFrom?: string;
  signal: AbortSignal;
  onProgress?(progress: TrainProgress): void;
}

export interface TrainingOutcome {
  run: RunDirectory;
  result: TrainResult;
}

/**
 * Validate the algorithm's config and the env's kwargs, create the run directory (resolved
 * config first, so a crashed run still records what it was), train, and write the summary.
 */
export async function trainOnEnv(host: PluginHost, request: TrainingRequest): Promise<TrainingOutcome> {
  const spec = host.registry.spec(request.envId);
  const envKwargs = host.registry.resolveKwargs(spec.id, request.envKwargs);
  const config = parseOptions(request.algorithm.configSchema, request.config, `algorithm '${request.algorithm.id}'`);
  if (request.resumeFrom !== undefined && !existsSync(request.resumeFrom)) {
    throw new RlftError('BAD_RESUME', `--resume ${request.resumeFrom}: no such checkpoint directory`);
  }
  const algorithm = await request.algorithm.create(config);
  const run = RunDirectory.create(request.runsRoot, `${request.algorithm.id}-${spec.name}`);
  run.writeConfig({
    algorithm: request.algorithm.id,
    plugin: (request.algorithm as { plugin?: string }).plugin,
    env: spec.id,
    envKwargs,
    seed: request.seed,
    config,
    ...(request.resumeFrom !== undefined ? { resumeFrom: request.resumeFrom } : {}),
  });
  const result = await algorithm.train({
    registry: host.registry,
    envId: spec.id,
    envKwargs,
    seed: request.seed,
    run,
    logger: run.logger,
    signal: request.signal,
    ...(request.resumeFrom !== undefined ? { resumeFrom: request.resumeFrom } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
  run.writeSummary(runSummary(request.algorithm.id, spec.id, request.seed, result));
  return { run, result };
}

function runSummary(algorithm: string, envId: string, seed: number, result: TrainResult): string {
  const lines = [`# ${algorithm} on ${envId}`, '', `- seed: ${seed}`, `- finished: ${result.interrupted ? 'no (interrupted)' : 'yes'}`];
  if (result.checkpoint) lines.push(`- last checkpoint: ${result.checkpoint}`);
  const metrics = Object.entries(result.metrics);
  if (metrics.length) {
    lines.push('', '| metric | value |', '|---|---|', ...metrics.map(([name, value]) => `| ${name} | ${value} |`));
  }
  return `${lines.join('\n')}\n`;
}
