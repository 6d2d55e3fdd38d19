import type { RgbFrame } from '@rlft/core';
import { CharGrid, signed } from '../shared/char-grid.js';
import { RgbCanvas, type Point } from '../shared/rgb-canvas.js';
import { LINK_LENGTH_1, LINK_LENGTH_2 } from './dynamics.js';

/** Half the drawn area in metres: both links plus a margin (Gymnasium's `bound`). */
const BOUND = LINK_LENGTH_1 + LINK_LENGTH_2 + 0.2;
const GRID_COLUMNS = 27;
const GRID_ROWS = 13;
const COLUMNS_PER_METRE = (GRID_COLUMNS - 1) / (2 * BOUND);
const ROWS_PER_METRE = (GRID_ROWS - 1) / (2 * BOUND);

/** Joint and tip positions (x right, y up, metres from the pivot); θ1 = 0 hangs straight down. */
function linkPoints(theta1: number, theta2: number): [Point, Point] {
  const joint: Point = [LINK_LENGTH_1 * Math.sin(theta1), -LINK_LENGTH_1 * Math.cos(theta1)];
  const tip: Point = [joint[0] + LINK_LENGTH_2 * Math.sin(theta1 + theta2), joint[1] - LINK_LENGTH_2 * Math.cos(theta1 + theta2)];
  return [joint, tip];
}

/**
 * A text picture: pivot `O`, joint `o`, free end `*`, and the goal height (one link length
 * above the pivot) as a dotted line; then the state and the last torque.
 */
export function renderAcrobotAnsi(state: Float64Array, torque: number | undefined): string {
  const [theta1, theta2, dtheta1, dtheta2] = state;
  const grid = new CharGrid(GRID_COLUMNS, GRID_ROWS);
  const column = (x: number): number => (x + BOUND) * COLUMNS_PER_METRE;
  const row = (y: number): number => (BOUND - y) * ROWS_PER_METRE;
  grid.text(0, Math.round(row(LINK_LENGTH_1)), '.'.repeat(GRID_COLUMNS));
  const [joint, tip] = linkPoints(theta1, theta2);
  grid.segment(column(0), row(0), column(joint[0]), row(joint[1]));
  grid.segment(column(joint[0]), row(joint[1]), column(tip[0]), row(tip[1]));
  grid.put(column(0), row(0), 'O');
  grid.put(column(joint[0]), row(joint[1]), 'o');
  grid.put(column(tip[0]), row(tip[1]), '*');
  const torqueText = torque === undefined ? 'none' : signed(torque, 0);
  return (
    `${grid.toString()}\n` +
    `theta1=${signed(theta1, 4)} theta2=${signed(theta2, 4)} theta1_dot=${signed(dtheta1, 4)} theta2_dot=${signed(dtheta2, 4)} torque=${torqueText}`
  );
}

const SCREEN = 500;
const SCALE = SCREEN / (2 * BOUND);
const LINK_COLOR = [0, 204, 204] as const;
const JOINT_COLOR = [204, 204, 0] as const;
const BLACK = [0, 0, 0] as const;

/** A 500×500 frame laid out like Gymnasium's: the goal line, two cyan links, yellow joints. */
export function renderAcrobotRgb(state: Float64Array): RgbFrame {
  const canvas = new RgbCanvas(SCREEN, SCREEN);
  const centre = SCREEN / 2;
  const toPixel = ([x, y]: Point): Point => [centre + x * SCALE, centre - y * SCALE];
  canvas.line(toPixel([-BOUND, LINK_LENGTH_1]), toPixel([BOUND, LINK_LENGTH_1]), 1, BLACK);
  const [joint, tip] = linkPoints(state[0], state[1]);
  const width = 0.2 * SCALE;
  canvas.line(toPixel([0, 0]), toPixel(joint), width, LINK_COLOR);
  canvas.line(toPixel(joint), toPixel(tip), width, LINK_COLOR);
  for (const point of [[0, 0] as Point, joint]) {
    const [x, y] = toPixel(point);
    canvas.fillCircle(x, y, 0.1 * SCALE, JOINT_COLOR);
  }
  return canvas.toFrame();
}
