import type { RgbFrame } from '@rlft/core';
import { CharGrid, signed } from '../shared/char-grid.js';
import { RgbCanvas, type Point } from '../shared/rgb-canvas.js';
import { MAX_POSITION, MIN_POSITION, trackHeight } from './track.js';

const GRID_COLUMNS = 61;
const GRID_ROWS = 9;
const MIN_HEIGHT = 0.1;
const MAX_HEIGHT = 1.0;

function columnOf(position: number): number {
  return ((position - MIN_POSITION) / (MAX_POSITION - MIN_POSITION)) * (GRID_COLUMNS - 1);
}

/** Rows count down from the top; the valley floor spans rows 1 … GRID_ROWS − 1. */
function rowOf(height: number): number {
  return 1 + ((MAX_HEIGHT - height) / (MAX_HEIGHT - MIN_HEIGHT)) * (GRID_ROWS - 2);
}

/** A text picture of the valley, the car `@` on it and the goal flag `F`, then position and velocity. */
export function renderMountainCarAnsi(position: number, velocity: number, goalPosition: number): string {
  const grid = new CharGrid(GRID_COLUMNS, GRID_ROWS);
  for (let column = 0; column < GRID_COLUMNS - 1; column++) {
    const p0 = MIN_POSITION + (column / (GRID_COLUMNS - 1)) * (MAX_POSITION - MIN_POSITION);
    const p1 = MIN_POSITION + ((column + 1) / (GRID_COLUMNS - 1)) * (MAX_POSITION - MIN_POSITION);
    grid.segment(column, rowOf(trackHeight(p0)), column + 1, rowOf(trackHeight(p1)));
  }
  grid.put(columnOf(goalPosition), rowOf(trackHeight(goalPosition)) - 1, 'F');
  grid.put(columnOf(position), rowOf(trackHeight(position)) - 1, '@');
  return `${grid.toString()}\nposition=${signed(position, 4)} velocity=${signed(velocity, 5)} goal=${goalPosition}`;
}

const SCREEN_WIDTH = 600;
const SCREEN_HEIGHT = 400;
const SCALE = SCREEN_WIDTH / (MAX_POSITION - MIN_POSITION);
const CAR_WIDTH = 40;
const CAR_HEIGHT = 20;
const CLEARANCE = 10;
const BLACK = [0, 0, 0] as const;
const WHEEL_COLOR = [128, 128, 128] as const;
const FLAG_COLOR = [204, 204, 0] as const;

/** A 600×400 frame laid out like Gymnasium's: the valley curve, the car tilted with the slope, the goal flag. */
export function renderMountainCarRgb(position: number, goalPosition: number): RgbFrame {
  const canvas = new RgbCanvas(SCREEN_WIDTH, SCREEN_HEIGHT);
  const toPixel = (x: number, y: number): Point => [x, SCREEN_HEIGHT - y];
  const samples = 100;
  let previous = toPixel(0, trackHeight(MIN_POSITION) * SCALE);
  for (let i = 1; i < samples; i++) {
    const p = MIN_POSITION + (i / (samples - 1)) * (MAX_POSITION - MIN_POSITION);
    const next = toPixel((p - MIN_POSITION) * SCALE, trackHeight(p) * SCALE);
    canvas.line(previous, next, 2, BLACK);
    previous = next;
  }
  const angle = Math.cos(3 * position);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const baseX = (position - MIN_POSITION) * SCALE;
  const baseY = CLEARANCE + trackHeight(position) * SCALE;
  const place = (x: number, y: number): Point => toPixel(baseX + x * cos - y * sin, baseY + x * sin + y * cos);
  const half = CAR_WIDTH / 2;
  canvas.fillConvexPolygon([place(-half, 0), place(-half, CAR_HEIGHT), place(half, CAR_HEIGHT), place(half, 0)], BLACK);
  for (const wheelX of [CAR_WIDTH / 4, -CAR_WIDTH / 4]) {
    const [x, y] = place(wheelX, 0);
    canvas.fillCircle(x, y, CAR_HEIGHT / 2.5, WHEEL_COLOR);
  }
  const flagX = (goalPosition - MIN_POSITION) * SCALE;
  const flagBottom = trackHeight(goalPosition) * SCALE;
  const flagTop = flagBottom + 50;
  canvas.line(toPixel(flagX, flagBottom), toPixel(flagX, flagTop), 1, BLACK);
  canvas.fillConvexPolygon([toPixel(flagX, flagTop), toPixel(flagX, flagTop - 10), toPixel(flagX + 25, flagTop - 5)], FLAG_COLOR);
  return canvas.toFrame();
}
