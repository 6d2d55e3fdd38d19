import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, type Space } from '@rlft/core';
import { DatasetWriter } from './writer.js';

/** A fresh temporary directory, removed by the returned cleanup. */
export function temporaryRoot(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'rlft-data-'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Write `episodeLengths.length` episodes of values sampled from the spaces (seeded); returns the inputs. */
export async function writeSampledDataset(
  path: string,
  observationSpace: Space,
  actionSpace: Space,
  episodeLengths: number[],
  seed = 0,
): Promise<{ observations: unknown[][]; actions: unknown[][]; rewards: Float64Array[] }> {
  const rng = Rng.fromSeed(seed);
  const writer = await DatasetWriter.create({ path, observationSpace, actionSpace });
  const all = { observations: [] as unknown[][], actions: [] as unknown[][], rewards: [] as Float64Array[] };
  for (const n of episodeLengths) {
    const observations = Array.from({ length: n + 1 }, () => observationSpace.sample(rng));
    const actions = Array.from({ length: n }, () => actionSpace.sample(rng));
    const rewards = Float64Array.from({ length: n }, () => rng.normal());
    const terminations = Array.from({ length: n }, (_, i) => i === n - 1);
    writer.addEpisode({ observations, actions, rewards, terminations, truncations: new Array<boolean>(n).fill(false), seed: seed + all.rewards.length });
    all.observations.push(observations);
    all.actions.push(actions);
    all.rewards.push(rewards);
  }
  writer.finish({ dataset_id: 'test/sampled-v0', algorithm_name: 'random' });
  return all;
}
