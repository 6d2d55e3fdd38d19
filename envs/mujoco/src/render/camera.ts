// The orthographic side camera: it looks along +y, so image right is world +x and image up is
// world +z, and one metre is the same number of pixels everywhere in the frame.

export interface SideViewOptions {
  /** Frame width in pixels (default 480). */
  width?: number;
  /** Frame height in pixels (default 320). */
  height?: number;
  /** Body whose x position the camera follows (the torso); without it the camera stays at `lookAtX`. */
  trackBodyId?: number;
  /**
   * Sets the zoom as MuJoCo's free camera would at this distance: the frame shows the height a
   * 45° perspective camera sees at that distance, 2·d·tan(22.5°) ≈ 0.83·d metres (default 4,
   * Gymnasium's HalfCheetah camera distance).
   */
  cameraDistance?: number;
  /** World x at the frame centre when no body is tracked (default 0). */
  lookAtX?: number;
  /** World z at the frame centre (default: z = 0 lies one fifth of the height above the bottom edge). */
  lookAtZ?: number;
}

export const DEFAULT_WIDTH = 480;
export const DEFAULT_HEIGHT = 320;
export const DEFAULT_CAMERA_DISTANCE = 4;
const MAX_SIDE = 4096;
const HALF_FOVY = (22.5 * Math.PI) / 180;
/** Where z = 0 sits by default, as a fraction of the height from the bottom edge. */
const DEFAULT_FLOOR_FRACTION = 0.2;

export interface SideViewCamera {
  width: number;
  height: number;
  pixelsPerMetre: number;
  /** World (x, z) at the frame centre. */
  centreX: number;
  centreZ: number;
  /** World y that counts as "at the camera's focus" for depth shading: the tracked body's y, else 0. */
  focusY: number;
}

/**
 * Checks the options and places the camera for this frame.
 * `bodyPositions` is `data.xpos` (3 per body), read for the tracked body.
 */
export function placeCamera(options: SideViewOptions, nbody: number, bodyPositions: Float64Array): SideViewCamera {
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  checkSide('width', width);
  checkSide('height', height);
  const distance = options.cameraDistance ?? DEFAULT_CAMERA_DISTANCE;
  if (!(Number.isFinite(distance) && distance > 0)) {
    throw new RangeError(`renderSideView: cameraDistance must be a positive number of metres, got ${distance}`);
  }
  const viewHeight = 2 * distance * Math.tan(HALF_FOVY);
  const lookAtZ = options.lookAtZ ?? viewHeight * (0.5 - DEFAULT_FLOOR_FRACTION);
  const lookAtX = options.lookAtX ?? 0;
  checkFinite('lookAtZ', lookAtZ);
  checkFinite('lookAtX', lookAtX);
  let centreX = lookAtX;
  let focusY = 0;
  const body = options.trackBodyId;
  if (body !== undefined) {
    if (!(Number.isInteger(body) && body >= 0 && body < nbody)) {
      throw new RangeError(`renderSideView: trackBodyId must be a body index from 0 to ${nbody - 1} (0 is the world body), got ${body}`);
    }
    centreX = bodyPositions[3 * body];
    focusY = bodyPositions[3 * body + 1];
  }
  return { width, height, pixelsPerMetre: height / viewHeight, centreX, centreZ: lookAtZ, focusY };
}

/** World x at the centre of pixel column `column`. */
export function columnToX(camera: SideViewCamera, column: number): number {
  return camera.centreX + (column + 0.5 - camera.width / 2) / camera.pixelsPerMetre;
}

/** World z at the centre of pixel row `row` (rows count down from the top). */
export function rowToZ(camera: SideViewCamera, row: number): number {
  return camera.centreZ - (row + 0.5 - camera.height / 2) / camera.pixelsPerMetre;
}

/** The (fractional) column whose centre is at world x. */
export function xToColumn(camera: SideViewCamera, x: number): number {
  return (x - camera.centreX) * camera.pixelsPerMetre + camera.width / 2 - 0.5;
}

/** The (fractional) row whose centre is at world z. */
export function zToRow(camera: SideViewCamera, z: number): number {
  return (camera.centreZ - z) * camera.pixelsPerMetre + camera.height / 2 - 0.5;
}

function checkSide(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 1 && value <= MAX_SIDE)) {
    throw new RangeError(`renderSideView: ${name} must be a whole number of pixels from 1 to ${MAX_SIDE}, got ${value}`);
  }
}

function checkFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`renderSideView: ${name} must be a finite number of metres, got ${value}`);
}
