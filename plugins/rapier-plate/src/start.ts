import type { Rng } from '@rlft/core';
import type { BallOnPlateOptions } from './options.js';
import type { PlateStart } from './plate-world.js';

/** The reset options that pin part of the start, each a pair of numbers in plate coordinates. */
export const START_OPTIONS = ['tilt', 'ball_position', 'ball_velocity'] as const;

/**
 * The start of an episode: drawn from `rng` (always all six numbers, in a fixed order, so
 * the generator's stream does not depend on the options), then replaced by whatever
 * `reset({ options })` pins: `tilt: [x, y]` (rad), `ball_position: [x, y]` (m),
 * `ball_velocity: [vx, vy]` (m/s).
 */
export function chooseStart(envId: string, options: BallOnPlateOptions, rng: Rng, given: Record<string, unknown> = {}): PlateStart {
  const unknown = Object.keys(given).filter((key) => !(START_OPTIONS as readonly string[]).includes(key));
  if (unknown.length) {
    throw new TypeError(`${envId}: unknown reset option${unknown.length > 1 ? 's' : ''} '${unknown.join("', '")}'; allowed: ${START_OPTIONS.join(', ')}`);
  }
  const noise = options.reset_noise;
  const reach = (noise * options.plate_size) / 4;
  const tilt = noise * options.max_tilt;
  const start: PlateStart = {
    tiltX: rng.uniform(-tilt, tilt),
    tiltY: rng.uniform(-tilt, tilt),
    ballX: rng.uniform(-reach, reach),
    ballY: rng.uniform(-reach, reach),
    ballVx: rng.uniform(-reach, reach),
    ballVy: rng.uniform(-reach, reach),
  };
  const pinnedTilt = readPair(envId, given, 'tilt', options.max_tilt);
  if (pinnedTilt) [start.tiltX, start.tiltY] = pinnedTilt;
  const half = options.plate_size / 2;
  const pinnedPosition = readPair(envId, given, 'ball_position', half);
  if (pinnedPosition) [start.ballX, start.ballY] = pinnedPosition;
  const pinnedVelocity = readPair(envId, given, 'ball_velocity', Infinity);
  if (pinnedVelocity) [start.ballVx, start.ballVy] = pinnedVelocity;
  return start;
}

function readPair(envId: string, given: Record<string, unknown>, key: string, limit: number): [number, number] | undefined {
  const value = given[key];
  if (value === undefined) return undefined;
  const isList = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  const pair = value as ArrayLike<unknown>;
  if (!isList || pair.length !== 2 || typeof pair[0] !== 'number' || typeof pair[1] !== 'number' || !Number.isFinite(pair[0]) || !Number.isFinite(pair[1])) {
    throw new TypeError(`${envId}: reset option '${key}' must be two finite numbers [x, y], got ${JSON.stringify(value) ?? String(value)}`);
  }
  if (Math.abs(pair[0]) > limit || Math.abs(pair[1]) > limit) {
    throw new RangeError(`${envId}: reset option '${key}' must lie within ±${limit} on each axis, got [${pair[0]}, ${pair[1]}]`);
  }
  return [pair[0], pair[1]];
}
