import { PNG } from 'pngjs';
import type { RgbFrame } from '@rlft/core';

// Colour type 2 is RGB without alpha. The Sub filter on every row encodes several times
// faster than pngjs's default per-row search, at almost the same size for rendered scenes.
const RGB = 2;
const SUB_FILTER = 1;
const PACKING = { colorType: RGB, inputColorType: RGB, inputHasAlpha: false, filterType: SUB_FILTER } as const;

/** Encodes RGB frames as PNG files, keeping one pixel buffer while the frame size stays the same. */
export class PngFrameEncoder {
  private png: PNG | undefined;

  encode(frame: RgbFrame): Buffer {
    if (!this.png || this.png.width !== frame.width || this.png.height !== frame.height) {
      this.png = new PNG({ width: frame.width, height: frame.height, ...PACKING });
    }
    // The buffer is sized for RGBA; with inputHasAlpha false only its first 3·w·h bytes are read.
    this.png.data.set(frame.data);
    return PNG.sync.write(this.png, PACKING);
  }
}

/** A render result that is a whole RGB frame: positive integer size and exactly 3 bytes per pixel. */
export function isRgbFrame(value: unknown): value is RgbFrame {
  if (typeof value !== 'object' || value === null) return false;
  const { width, height, data } = value as Partial<RgbFrame>;
  return (
    Number.isInteger(width) &&
    Number.isInteger(height) &&
    width! > 0 &&
    height! > 0 &&
    data instanceof Uint8Array &&
    data.length === width! * height! * 3
  );
}
