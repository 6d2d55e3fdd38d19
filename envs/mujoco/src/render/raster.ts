/**
 * The pixels being drawn: RGB bytes (row-major, top row first) and, per pixel, the world y of
 * the nearest surface drawn so far (the camera looks along +y, so smaller is nearer).
 */
export interface Raster {
  width: number;
  height: number;
  rgb: Uint8Array;
  depth: Float32Array;
}

// One depth buffer per frame size is kept between frames; the RGB bytes are handed to the
// caller with the frame, so they are new each time.
let sharedDepth = new Float32Array(0);

export function createRaster(width: number, height: number): Raster {
  const pixels = width * height;
  if (sharedDepth.length !== pixels) sharedDepth = new Float32Array(pixels);
  sharedDepth.fill(Infinity);
  return { width, height, rgb: new Uint8Array(pixels * 3), depth: sharedDepth };
}
