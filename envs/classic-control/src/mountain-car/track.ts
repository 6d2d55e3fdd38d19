import { Box } from '@rlft/core';

/** What MountainCar-v0 and MountainCarContinuous-v0 share: the valley, its bounds and the start. */
export const MIN_POSITION = -1.2;
export const MAX_POSITION = 0.6;
export const MAX_SPEED = 0.07;
/** Weight of the valley's slope in the velocity update (Gymnasium's `gravity`, 0.0025). */
export const GRAVITY = 0.0025;
export const RESET_LOW = -0.6;
export const RESET_HIGH = -0.4;
export const STATE_NAMES = ['position', 'velocity'] as const;

/** [position, velocity] within [−1.2, 0.6] × [−0.07, 0.07], float32. */
export function mountainCarObservationSpace(): Box<'float32'> {
  return new Box({ low: [MIN_POSITION, -MAX_SPEED], high: [MAX_POSITION, MAX_SPEED], dtype: 'float32' });
}

/** Height of the valley floor at `position` (used only for drawing). */
export function trackHeight(position: number): number {
  return Math.sin(3 * position) * 0.45 + 0.55;
}
