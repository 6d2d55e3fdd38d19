import { Box, Discrete, Rng, flatDim, type Space } from '@rlft/core';
import { rowAt, type Dataset } from '@rlft/data';
import { ObservationFlattener } from '@rlft/training';

/**
 * (observation, action) pairs of some episodes, flat and ready for minibatches:
 * observations [count, obsDim]; actions as Discrete indices (value − start) or Box rows [count, dim].
 */
export interface Demonstrations {
  count: number;
  obsDim: number;
  /** Action width per row: 1 for Discrete (an index), the element count for Box. */
  actionWidth: number;
  observations: Float32Array;
  actions: Float32Array;
  episodes: number;
}

/** Only the actions an MLP policy can emit are clonable. */
export function actionWidthOf(space: Space): number {
  if (space instanceof Discrete) return 1;
  if (space instanceof Box) return space.size;
  throw new RangeError(`Behaviour cloning supports Discrete and Box action spaces, not ${space.toString()}`);
}

/** Every step of the given episodes (the final observation of each episode has no action and is left out). */
export function readDemonstrations(dataset: Dataset, episodeIds: readonly number[]): Demonstrations {
  const obsSpace = dataset.observationSpace;
  const actSpace = dataset.actionSpace;
  const obsDim = flatDim(obsSpace);
  const actionWidth = actionWidthOf(actSpace);
  const episodes = episodeIds.map((id) => dataset.episode(id));
  const count = episodes.reduce((n, e) => n + e.totalSteps, 0);
  const observations = new Float32Array(count * obsDim);
  const actions = new Float32Array(count * actionWidth);
  const flattener = new ObservationFlattener(obsSpace, 1);
  const start = actSpace instanceof Discrete ? actSpace.start : 0;
  let row = 0;
  for (const episode of episodes) {
    for (let t = 0; t < episode.totalSteps; t++, row++) {
      flattener.flattenOne(rowAt(obsSpace, episode.observations, t), observations, row * obsDim);
      if (actSpace instanceof Discrete) {
        actions[row] = Number(rowAt(actSpace, episode.actions, t)) - start;
      } else {
        const values = rowAt(actSpace, episode.actions, t) as ArrayLike<number>;
        for (let j = 0; j < actionWidth; j++) actions[row * actionWidth + j] = values[j];
      }
    }
  }
  return { count, obsDim, actionWidth, observations, actions, episodes: episodes.length };
}

/**
 * Hold out whole episodes for validation (steps of one episode are strongly correlated, so a
 * split by step would leak). Seeded; at least one episode on each side when the fraction is > 0.
 */
export function splitEpisodes(ids: readonly number[], fraction: number, rng: Rng): { train: number[]; validation: number[] } {
  if (fraction === 0) return { train: [...ids], validation: [] };
  if (ids.length < 2) {
    throw new RangeError(`validation_fraction ${fraction} needs at least 2 episodes in the dataset (it holds ${ids.length}); set validation_fraction: 0`);
  }
  const shuffled = rng.shuffle([...ids]);
  const held = Math.min(ids.length - 1, Math.max(1, Math.round(fraction * ids.length)));
  return { train: shuffled.slice(held).sort((a, b) => a - b), validation: shuffled.slice(0, held).sort((a, b) => a - b) };
}

/** The training/validation split of a run with this seed (what `bc` uses). */
export function validationSplit(ids: readonly number[], fraction: number, seed: number): { train: number[]; validation: number[] } {
  return splitEpisodes(ids, fraction, Rng.fromSeed(seed));
}
