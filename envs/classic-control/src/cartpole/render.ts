import type { RgbFrame } from '@rlft/core';
import { CharGrid, signed } from '../shared/char-grid.js';
import { RgbCanvas, type Point } from '../shared/rgb-canvas.js';
import { HALF_POLE_LENGTH, X_THRESHOLD } from './physics.js';

const TRACK_COLUMNS = 61;
const COLUMNS_PER_METRE = (TRACK_COLUMNS - 1) / (2 * X_THRESHOLD);
/** Character cells are about twice as tall as wide. */
const ROWS_PER_METRE = COLUMNS_PER_METRE / 2;
const POLE_ROWS = Math.ceil(2 * HALF_POLE_LENGTH * ROWS_PER_METRE);

/**
 * A text picture: the pole above the cart `[===]` on a track whose ends `|` are the
 * termination bounds x = ±2.4, then the state in numbers.
 *
 * ```
 *                               o
 *                              /
 *                             /
 *                            /
 *                           /
 *                          /
 *                          |
 *                        [===]
 * |-----------------------------------------------------------|
 * x=+0.0123 x_dot=-0.1530 theta=+0.0367 rad (+2.10 deg) theta_dot=+0.3012
 * ```
 */
export function renderCartPoleAnsi(state: Float64Array): string {
  const [x, xDot, theta, thetaDot] = state;
  const grid = new CharGrid(TRACK_COLUMNS, POLE_ROWS + 3);
  const cartRow = POLE_ROWS + 1;
  const trackRow = POLE_ROWS + 2;
  grid.text(0, trackRow, `|${'-'.repeat(TRACK_COLUMNS - 2)}|`);
  const cartColumn = (x + X_THRESHOLD) * COLUMNS_PER_METRE;
  const poleLength = 2 * HALF_POLE_LENGTH;
  const tipColumn = cartColumn + Math.sin(theta) * poleLength * COLUMNS_PER_METRE;
  const tipRow = cartRow - 1 - Math.cos(theta) * poleLength * ROWS_PER_METRE;
  grid.segment(cartColumn, cartRow - 1, tipColumn, tipRow);
  grid.put(tipColumn, tipRow, 'o');
  grid.text(Math.round(cartColumn) - 2, cartRow, '[===]');
  const degrees = (theta * 180) / Math.PI;
  return (
    `${grid.toString()}\n` +
    `x=${signed(x, 4)} x_dot=${signed(xDot, 4)} theta=${signed(theta, 4)} rad (${signed(degrees, 2)} deg) theta_dot=${signed(thetaDot, 4)}`
  );
}

const SCREEN_WIDTH = 600;
const SCREEN_HEIGHT = 400;
const SCALE = SCREEN_WIDTH / (2 * X_THRESHOLD);
const POLE_WIDTH = 10;
const POLE_LENGTH = SCALE * 2 * HALF_POLE_LENGTH;
const CART_WIDTH = 50;
const CART_HEIGHT = 30;
const CART_Y = 100;
const AXLE_OFFSET = CART_HEIGHT / 4;
const BLACK = [0, 0, 0] as const;
const POLE_COLOR = [202, 152, 101] as const;
const AXLE_COLOR = [129, 132, 203] as const;

/** A 600×400 frame laid out like Gymnasium's: track, black cart, brown pole, blue axle. */
export function renderCartPoleRgb(state: Float64Array): RgbFrame {
  const canvas = new RgbCanvas(SCREEN_WIDTH, SCREEN_HEIGHT);
  // World layout with y up (as Gymnasium draws before flipping the surface), mapped to pixels here.
  const toPixel = (px: number, py: number): Point => [px, SCREEN_HEIGHT - py];
  const cartX = state[0] * SCALE + SCREEN_WIDTH / 2;
  const theta = state[2];
  canvas.line(toPixel(0, CART_Y), toPixel(SCREEN_WIDTH, CART_Y), 1, BLACK);
  const halfW = CART_WIDTH / 2;
  const halfH = CART_HEIGHT / 2;
  canvas.fillConvexPolygon(
    [toPixel(cartX - halfW, CART_Y - halfH), toPixel(cartX - halfW, CART_Y + halfH), toPixel(cartX + halfW, CART_Y + halfH), toPixel(cartX + halfW, CART_Y - halfH)],
    BLACK,
  );
  const axleY = CART_Y + AXLE_OFFSET;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const half = POLE_WIDTH / 2;
  const corners: [number, number][] = [
    [-half, -half],
    [-half, POLE_LENGTH - half],
    [half, POLE_LENGTH - half],
    [half, -half],
  ];
  // Rotated clockwise by θ, so a positive angle leans the pole to the right.
  canvas.fillConvexPolygon(
    corners.map(([px, py]) => toPixel(cartX + px * cos + py * sin, axleY - px * sin + py * cos)),
    POLE_COLOR,
  );
  const [axleX, axlePixelY] = toPixel(cartX, axleY);
  canvas.fillCircle(axleX, axlePixelY, half, AXLE_COLOR);
  return canvas.toFrame();
}
