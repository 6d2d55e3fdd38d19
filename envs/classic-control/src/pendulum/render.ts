import type { RgbFrame } from '@rlft/core';
import { CharGrid, signed } from '../shared/char-grid.js';
import { RgbCanvas, type Point } from '../shared/rgb-canvas.js';
import { angleNormalize } from './angle.js';

const GRID_COLUMNS = 23;
const GRID_ROWS = 11;
const ROD_COLUMNS = 10;
const ROD_ROWS = 5;

/**
 * A text picture of the rod around its pivot `O` (tip `@`; θ = 0 points up, positive θ turns
 * counter-clockwise), then θ (normalised), θ̇ and the last torque.
 */
export function renderPendulumAnsi(theta: number, thetaDot: number, torque: number | undefined): string {
  const grid = new CharGrid(GRID_COLUMNS, GRID_ROWS);
  const pivotColumn = (GRID_COLUMNS - 1) / 2;
  const pivotRow = (GRID_ROWS - 1) / 2;
  const tipColumn = pivotColumn - Math.sin(theta) * ROD_COLUMNS;
  const tipRow = pivotRow - Math.cos(theta) * ROD_ROWS;
  grid.segment(pivotColumn, pivotRow, tipColumn, tipRow);
  grid.put(tipColumn, tipRow, '@');
  grid.put(pivotColumn, pivotRow, 'O');
  const torqueText = torque === undefined ? 'none' : signed(torque, 3);
  return `${grid.toString()}\ntheta=${signed(angleNormalize(theta), 4)} rad theta_dot=${signed(thetaDot, 4)} torque=${torqueText}`;
}

const SCREEN = 500;
const BOUND = 2.2;
const SCALE = SCREEN / (2 * BOUND);
const ROD_LENGTH = 1 * SCALE;
const ROD_WIDTH = 0.2 * SCALE;
const ROD_COLOR = [204, 77, 77] as const;
const BLACK = [0, 0, 0] as const;
const TORQUE_COLOR = [0, 102, 204] as const;

/**
 * A 500×500 frame like Gymnasium's: the red rod from the centre, a black axle, and (instead of
 * Gymnasium's arrow image) a blue bar under the pivot whose length and side show the torque.
 */
export function renderPendulumRgb(theta: number, torque: number | undefined): RgbFrame {
  const canvas = new RgbCanvas(SCREEN, SCREEN);
  const centre = SCREEN / 2;
  const toPixel = (x: number, y: number): Point => [centre + x, centre - y];
  const tip = toPixel(-Math.sin(theta) * ROD_LENGTH, Math.cos(theta) * ROD_LENGTH);
  canvas.line(toPixel(0, 0), tip, ROD_WIDTH, ROD_COLOR);
  canvas.fillCircle(tip[0], tip[1], ROD_WIDTH / 2, ROD_COLOR);
  canvas.fillCircle(centre, centre, 0.05 * SCALE, BLACK);
  if (torque !== undefined && torque !== 0) {
    const barY = centre + 0.4 * SCALE;
    canvas.line([centre, barY], [centre + (torque / 2) * 0.5 * SCALE, barY], 6, TORQUE_COLOR);
  }
  return canvas.toFrame();
}
