import { describe, expect, it } from 'vitest';
import { ANSI_COLUMNS, ANSI_ROWS, FRAME_SIZE, renderAnsi, renderRgb, type PlateSnapshot } from './render.js';

const level: PlateSnapshot = { plateSize: 0.5, ballRadius: 0.025, maxTilt: 0.2, tiltX: 0, tiltY: 0, ballX: 0, ballY: 0, ballVx: 0, ballVy: 0 };

function pixel(frame: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * frame.width + x) * 3;
  return Array.from(frame.data.subarray(i, i + 3));
}

describe('renderAnsi', () => {
  it('draws the plate top-down with the ball, under a line of numbers', () => {
    const text = renderAnsi({ ...level, tiltX: 0.05, tiltY: -0.012, ballX: 0.2, ballY: 0.2, ballVx: 0.1, ballVy: -0.25 });
    const lines = text.split('\n');
    expect(lines[0]).toBe('tilt x +0.050 y -0.012 rad | ball x +0.200 y +0.200 m, v +0.10 -0.25 m/s');
    expect(lines).toHaveLength(ANSI_ROWS + 3);
    expect(lines[1]).toBe(`+${'-'.repeat(ANSI_COLUMNS)}+`);
    for (const line of lines.slice(2, -1)) expect(line).toMatch(new RegExp(`^\\|[.O+]{${ANSI_COLUMNS}}\\|$`));
    // top-right corner region: +x is right, +y is up
    expect(lines[2 + 1]).toBe(`|${'.'.repeat(ANSI_COLUMNS - 3)}O..|`);
    expect(lines[2 + 5]).toBe(`|${'.'.repeat(11)}+${'.'.repeat(11)}|`);
  });

  it('puts a centred ball on the centre mark, and says when the ball is off the plate', () => {
    expect(renderAnsi(level).split('\n')[2 + 5]).toBe(`|${'.'.repeat(11)}O${'.'.repeat(11)}|`);
    const off = renderAnsi({ ...level, ballX: -0.3 });
    expect(off.split('\n')[0]).toMatch(/\| off the plate$/);
    expect(off).not.toContain('O');
  });
});

describe('renderRgb', () => {
  it('returns a square RGB frame with the ball in red where it is', () => {
    const frame = renderRgb({ ...level, ballX: 0.125, ballY: -0.125 });
    expect(frame.width).toBe(FRAME_SIZE);
    expect(frame.height).toBe(FRAME_SIZE);
    expect(frame.data).toHaveLength(FRAME_SIZE * FRAME_SIZE * 3);
    // the plate spans pixels 16…239; (0.125, −0.125) is three quarters across and down
    expect(pixel(frame, 184, 184)).toEqual([215, 48, 39]);
    expect(pixel(frame, 72, 72)).not.toEqual([215, 48, 39]);
    expect(pixel(frame, 4, 4)).toEqual([40, 44, 52]);
  });

  it('shades the plate by height: the lowered side is darker', () => {
    const flat = renderRgb(level);
    expect(pixel(flat, 40, 128)).toEqual(pixel(flat, 216, 128));
    const tiltedX = renderRgb({ ...level, tiltX: 0.2 });
    expect(pixel(tiltedX, 216, 100)[2]).toBeLessThan(pixel(tiltedX, 40, 100)[2]);
    const tiltedY = renderRgb({ ...level, tiltY: 0.2 });
    expect(pixel(tiltedY, 100, 40)[2]).toBeLessThan(pixel(tiltedY, 100, 216)[2]);
  });
});
