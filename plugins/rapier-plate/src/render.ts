import type { RgbFrame } from '@rlft/core';

/** What a picture of the task shows: the plate's size and tilt, the ball in plate coordinates. */
export interface PlateSnapshot {
  plateSize: number;
  ballRadius: number;
  maxTilt: number;
  tiltX: number;
  tiltY: number;
  ballX: number;
  ballY: number;
  ballVx: number;
  ballVy: number;
}

/** Text map size: characters are about twice as tall as wide, so twice as many columns as rows. */
export const ANSI_ROWS = 11;
export const ANSI_COLUMNS = 23;

/** Side of the 'rgb_array' frame and the margin around the plate, in pixels. */
export const FRAME_SIZE = 256;
const MARGIN = 16;

const signed = (value: number, digits: number): string => `${value < 0 ? '-' : '+'}${Math.abs(value).toFixed(digits)}`;

/** The cell (row, column) of plate point (x, y) on a rows × columns map; row 0 is the +y edge. */
function cellOf(snapshot: PlateSnapshot, rows: number, columns: number, x: number, y: number): [number, number] {
  const half = snapshot.plateSize / 2;
  return [Math.floor(((half - y) / snapshot.plateSize) * rows), Math.floor(((x + half) / snapshot.plateSize) * columns)];
}

/**
 * A top-down text map in plate coordinates (+x right, +y up): `O` the ball, `+` the centre,
 * `.` the plate; above it the tilt and the ball's position and velocity.
 */
export function renderAnsi(snapshot: PlateSnapshot): string {
  const [ballRow, ballColumn] = cellOf(snapshot, ANSI_ROWS, ANSI_COLUMNS, snapshot.ballX, snapshot.ballY);
  const onPlate = ballRow >= 0 && ballRow < ANSI_ROWS && ballColumn >= 0 && ballColumn < ANSI_COLUMNS;
  const lines = [
    `tilt x ${signed(snapshot.tiltX, 3)} y ${signed(snapshot.tiltY, 3)} rad | ` +
      `ball x ${signed(snapshot.ballX, 3)} y ${signed(snapshot.ballY, 3)} m, ` +
      `v ${signed(snapshot.ballVx, 2)} ${signed(snapshot.ballVy, 2)} m/s${onPlate ? '' : ' | off the plate'}`,
  ];
  const border = `+${'-'.repeat(ANSI_COLUMNS)}+`;
  lines.push(border);
  const centreRow = (ANSI_ROWS - 1) / 2;
  const centreColumn = (ANSI_COLUMNS - 1) / 2;
  for (let row = 0; row < ANSI_ROWS; row++) {
    let line = '|';
    for (let column = 0; column < ANSI_COLUMNS; column++) {
      if (onPlate && row === ballRow && column === ballColumn) line += 'O';
      else if (row === centreRow && column === centreColumn) line += '+';
      else line += '.';
    }
    lines.push(`${line}|`);
  }
  lines.push(border);
  return lines.join('\n');
}

/**
 * A top-down frame in plate coordinates (+x right, +y up): the plate shaded by height (its
 * lower side darker, so the tilt shows), cross-hairs through the centre, the ball in red.
 */
export function renderRgb(snapshot: PlateSnapshot): RgbFrame {
  const size = FRAME_SIZE;
  const data = new Uint8Array(size * size * 3);
  const platePixels = size - 2 * MARGIN;
  const metresPerPixel = snapshot.plateSize / platePixels;
  const half = snapshot.plateSize / 2;
  // Height of plate point (u, v) above its centre: the third row of the tilt matrix.
  const slopeX = -Math.sin(snapshot.tiltX);
  const slopeY = Math.cos(snapshot.tiltX) * Math.sin(-snapshot.tiltY);
  const highest = 2 * half * Math.sin(snapshot.maxTilt);
  const centre = MARGIN + platePixels / 2;
  const ballPixels = Math.max(2, snapshot.ballRadius / metresPerPixel);
  const ballU = centre + snapshot.ballX / metresPerPixel;
  const ballV = centre - snapshot.ballY / metresPerPixel;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const i = (py * size + px) * 3;
      let red = 40;
      let green = 44;
      let blue = 52;
      const inside = px >= MARGIN && px < size - MARGIN && py >= MARGIN && py < size - MARGIN;
      if (inside) {
        const u = (px + 0.5 - centre) * metresPerPixel;
        const v = (centre - py - 0.5) * metresPerPixel;
        const height = Math.min(1, Math.max(-1, (slopeX * u + slopeY * v) / highest));
        const brightness = 185 + 55 * height;
        red = brightness * 0.86;
        green = brightness * 0.92;
        blue = brightness;
        if (Math.abs(px + 0.5 - centre) < 1 || Math.abs(py + 0.5 - centre) < 1) {
          red *= 0.7;
          green *= 0.7;
          blue *= 0.7;
        }
      }
      const du = px + 0.5 - ballU;
      const dv = py + 0.5 - ballV;
      if (du * du + dv * dv <= ballPixels * ballPixels) {
        red = 215;
        green = 48;
        blue = 39;
      }
      data[i] = red;
      data[i + 1] = green;
      data[i + 2] = blue;
    }
  }
  return { width: size, height: size, data };
}
