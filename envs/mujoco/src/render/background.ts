// Sky, ground and a metre scale. MuJoCo planes are the ground: seen edge-on from the side, a
// plane is a line, drawn as the solid half-space below it, in bands one metre wide with a tick
// at every metre so that motion past the camera is visible.
import { columnToX, rowToZ, type SideViewCamera } from './camera.js';
import { geomColour, type GeomTypeCodes, type SceneArrays } from './scene.js';
import type { Raster } from './raster.js';

const SKY_TOP = [112, 160, 212] as const;
const SKY_HORIZON = [206, 224, 240] as const;
const RULER = [70, 70, 70] as const;
/** Odd metre bands are this much darker than even ones. */
const BAND_SHADE = 0.88;
/** The ground darkens by up to this fraction over GROUND_FADE_METRES below its surface. */
const GROUND_DARKENING = 0.3;
const GROUND_FADE_METRES = 1.5;
const LINE_SHADE = 0.45;
const TICK_PIXELS = 10;
const MAJOR_TICK_PIXELS = 20;
const MAJOR_TICK_EVERY = 5;
/** Planes whose normal lies this close to the viewing axis face the camera and are not drawn. */
const FACING_CAMERA = 1e-6;

/** A plane as a line in the x–z image: points with nx·x + nz·z < offset lie below it. */
interface GroundLine {
  nx: number;
  nz: number;
  offset: number;
  rgb: [number, number, number];
}

export function paintBackground(raster: Raster, camera: SideViewCamera, scene: SceneArrays, codes: GeomTypeCodes): void {
  const grounds = groundLines(scene, codes);
  const { width, height, rgb } = raster;
  const ppm = camera.pixelsPerMetre;
  for (let row = 0; row < height; row++) {
    const z = rowToZ(camera, row);
    const skyMix = height > 1 ? row / (height - 1) : 0;
    const skyR = SKY_TOP[0] + (SKY_HORIZON[0] - SKY_TOP[0]) * skyMix;
    const skyG = SKY_TOP[1] + (SKY_HORIZON[1] - SKY_TOP[1]) * skyMix;
    const skyB = SKY_TOP[2] + (SKY_HORIZON[2] - SKY_TOP[2]) * skyMix;
    for (let column = 0; column < width; column++) {
      const x = columnToX(camera, column);
      const p = 3 * (row * width + column);
      let r = skyR;
      let g = skyG;
      let b = skyB;
      for (const ground of grounds) {
        const below = ground.offset - (ground.nx * x + ground.nz * z);
        if (below <= 0) continue;
        // Distance along the line; for a level floor this is x.
        const along = ground.nz * x - ground.nx * z;
        const nearestMetre = Math.round(along);
        const belowPixels = below * ppm;
        const tickPixels = nearestMetre % MAJOR_TICK_EVERY === 0 ? MAJOR_TICK_PIXELS : TICK_PIXELS;
        let shade: number;
        if (belowPixels < 1.5 || (belowPixels < tickPixels && Math.abs(along - nearestMetre) * ppm < 1)) {
          shade = LINE_SHADE;
        } else {
          const band = Math.floor(along) & 1 ? BAND_SHADE : 1;
          shade = band * (1 - GROUND_DARKENING * Math.min(1, below / GROUND_FADE_METRES));
        }
        r = ground.rgb[0] * shade;
        g = ground.rgb[1] * shade;
        b = ground.rgb[2] * shade;
        break;
      }
      rgb[p] = r;
      rgb[p + 1] = g;
      rgb[p + 2] = b;
    }
  }
  if (grounds.length === 0) paintRuler(raster, camera);
}

/** Without a floor, metre ticks along the bottom edge still show horizontal motion. */
function paintRuler(raster: Raster, camera: SideViewCamera): void {
  const { width, height, rgb } = raster;
  const ppm = camera.pixelsPerMetre;
  for (let column = 0; column < width; column++) {
    const x = columnToX(camera, column);
    const nearestMetre = Math.round(x);
    if (Math.abs(x - nearestMetre) * ppm >= 1) continue;
    const length = Math.min(height, nearestMetre % MAJOR_TICK_EVERY === 0 ? MAJOR_TICK_PIXELS : TICK_PIXELS);
    for (let row = height - length; row < height; row++) {
      const p = 3 * (row * width + column);
      rgb[p] = RULER[0];
      rgb[p + 1] = RULER[1];
      rgb[p + 2] = RULER[2];
    }
  }
}

function groundLines(scene: SceneArrays, codes: GeomTypeCodes): GroundLine[] {
  const lines: GroundLine[] = [];
  const colour = new Float32Array(4);
  for (let g = 0; g < scene.ngeom; g++) {
    if (scene.geomType[g] !== codes.plane) continue;
    // A plane's normal is its local z axis: the third column of the row-major xmat.
    const m = 9 * g;
    const nx = scene.geomXmat[m + 2];
    const nz = scene.geomXmat[m + 8];
    const length = Math.hypot(nx, nz);
    if (length < FACING_CAMERA) continue;
    geomColour(scene, g, colour);
    if (colour[3] <= 0) continue;
    const px = scene.geomXpos[3 * g];
    const pz = scene.geomXpos[3 * g + 2];
    lines.push({
      nx: nx / length,
      nz: nz / length,
      offset: (nx * px + nz * pz) / length,
      rgb: [colour[0] * 255, colour[1] * 255, colour[2] * 255],
    });
  }
  return lines;
}
