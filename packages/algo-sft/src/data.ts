import { Box, RlftError, type NumericArray, type Space } from '@rlft/core';
import { elementSize, openDataset, RangeAccumulator, type DiscretisationRanges } from '@rlft/data';
import { shippedDataset, shippedDatasetEnvs } from '@rlft/experts';
import type { PromptSettings } from '@rlft/policy-llm';

export class SftDataError extends RlftError {
  constructor(message: string) {
    super('SFT_DATA', message);
  }
}

/** The dataset a run learns from: the one configured, else the one shipped for the env. */
export function datasetPathFor(configured: string | null, envId: string): string {
  if (configured !== null) return configured;
  const shipped = shippedDataset(envId);
  if (shipped) return shipped.path;
  throw new SftDataError(
    `supervised fine-tuning needs a dataset and none is shipped for ${envId} (shipped: ${shippedDatasetEnvs().join(', ')}). ` +
      'Pass --dataset PATH (a Minari dataset directory): record one with `rlft dataset collect --env ' +
      `${envId} --policy expert`,
  );
}

/** Throw, naming both sides, unless the dataset was recorded with the env's spaces. */
export function assertDatasetFits(datasetPath: string, dataset: { observationSpace: Space; actionSpace: Space }, envId: string, env: { observationSpace: Space; actionSpace: Space }): void {
  const problems: string[] = [];
  if (JSON.stringify(dataset.observationSpace.toJSON()) !== JSON.stringify(env.observationSpace.toJSON())) {
    problems.push(`observation space: dataset ${dataset.observationSpace.toString()}, ${envId} ${env.observationSpace.toString()}`);
  }
  if (JSON.stringify(dataset.actionSpace.toJSON()) !== JSON.stringify(env.actionSpace.toJSON())) {
    problems.push(`action space: dataset ${dataset.actionSpace.toString()}, ${envId} ${env.actionSpace.toString()}`);
  }
  if (problems.length) throw new SftDataError(`dataset ${datasetPath} was not recorded in an environment like ${envId}: ${problems.join('; ')}`);
}

/**
 * The discretised format needs a range per real dimension; unless the settings give them, they
 * are the dataset's minima and maxima (recorded in the trained model, so evaluation decodes the
 * same bins). Other formats are returned unchanged.
 */
export async function withDatasetRanges(settings: PromptSettings, datasetPath: string): Promise<PromptSettings> {
  if (settings.format !== 'discretised' || settings.ranges !== undefined) return settings;
  const dataset = await openDataset(datasetPath);
  try {
    const ranges: { observation?: DiscretisationRanges; action?: DiscretisationRanges } = {};
    for (const [key, space] of [
      ['observation', dataset.observationSpace],
      ['action', dataset.actionSpace],
    ] as const) {
      // Only real-valued Box spaces have ranges; integer spaces are written as they are.
      if (!(space instanceof Box)) continue;
      const accumulator = new RangeAccumulator(elementSize(space));
      for (const episode of dataset.iterateEpisodes()) accumulator.addColumn((key === 'observation' ? episode.observations : episode.actions) as NumericArray);
      ranges[key] = accumulator.ranges();
    }
    return { ...settings, ranges };
  } finally {
    dataset.close();
  }
}
