// Draws every visible geom by casting one line per pixel along +y (the viewing direction)
// through the geom, in the geom's own frame, and keeping the nearest surface per pixel. This
// handles any orientation (Ant's legs leave the x–z plane) with exact silhouettes.
import { columnToX, rowToZ, xToColumn, zToRow, type SideViewCamera } from './camera.js';
import { createHitRecord, hitBox, hitCapsule, hitCylinder, hitEllipsoid, hitSphere } from './ray-hit.js';
import { FIRST_HIDDEN_GROUP, geomColour, type GeomTypeCodes, type SceneArrays } from './scene.js';
import type { Raster } from './raster.js';

/** Towards the light, world frame: from the camera's side, above and a little to the left. */
const LIGHT = normalise(-0.3, -0.8, 0.5);
const AMBIENT = 0.35;
const DIFFUSE = 0.75;
/** Brightness change per metre of depth (y) from the focus: nearer parts are lighter. */
const DEPTH_SHADING_PER_METRE = 0.25;
const DEPTH_SHADING_MIN = 0.6;
const DEPTH_SHADING_MAX = 1.25;

const hit = createHitRecord();
const colour = new Float32Array(4);

export function drawGeoms(raster: Raster, camera: SideViewCamera, scene: SceneArrays, codes: GeomTypeCodes): void {
  for (let g = 0; g < scene.ngeom; g++) {
    const type = scene.geomType[g];
    if (type === codes.plane || scene.geomGroup[g] >= FIRST_HIDDEN_GROUP) continue;
    geomColour(scene, g, colour);
    if (colour[3] <= 0) continue;
    drawGeom(raster, camera, scene, codes, g, type);
  }
}

function drawGeom(raster: Raster, camera: SideViewCamera, scene: SceneArrays, codes: GeomTypeCodes, g: number, type: number): void {
  const cx = scene.geomXpos[3 * g];
  const cy = scene.geomXpos[3 * g + 1];
  const cz = scene.geomXpos[3 * g + 2];
  const bound = scene.geomRbound[g];
  if (!(bound > 0)) return;
  const { width, height, rgb, depth } = raster;
  const column0 = Math.max(0, Math.floor(xToColumn(camera, cx - bound)));
  const column1 = Math.min(width - 1, Math.ceil(xToColumn(camera, cx + bound)));
  const row0 = Math.max(0, Math.floor(zToRow(camera, cz + bound)));
  const row1 = Math.min(height - 1, Math.ceil(zToRow(camera, cz - bound)));
  if (column0 > column1 || row0 > row1) return;

  const m = scene.geomXmat;
  const k = 9 * g;
  const r00 = m[k], r01 = m[k + 1], r02 = m[k + 2];
  const r10 = m[k + 3], r11 = m[k + 4], r12 = m[k + 5];
  const r20 = m[k + 6], r21 = m[k + 7], r22 = m[k + 8];
  // The viewing direction (0, 1, 0) and the light, both in the geom frame (Rᵀ·v).
  const dx = r10;
  const dy = r11;
  const dz = r12;
  const lx = r00 * LIGHT[0] + r10 * LIGHT[1] + r20 * LIGHT[2];
  const ly = r01 * LIGHT[0] + r11 * LIGHT[1] + r21 * LIGHT[2];
  const lz = r02 * LIGHT[0] + r12 * LIGHT[1] + r22 * LIGHT[2];

  const size = scene.geomSize;
  const s0 = size[3 * g];
  const s1 = size[3 * g + 1];
  const s2 = size[3 * g + 2];
  const isPrimitive = type === codes.sphere || type === codes.capsule || type === codes.ellipsoid || type === codes.cylinder || type === codes.box;
  // Meshes, height fields and SDFs are drawn as their bounding box.
  const aabb = scene.geomAabb;
  const bx = isPrimitive ? 0 : aabb[6 * g];
  const by = isPrimitive ? 0 : aabb[6 * g + 1];
  const bz = isPrimitive ? 0 : aabb[6 * g + 2];
  const hx = type === codes.box ? s0 : aabb[6 * g + 3];
  const hy = type === codes.box ? s1 : aabb[6 * g + 4];
  const hz = type === codes.box ? s2 : aabb[6 * g + 5];

  const red = colour[0] * 255;
  const green = colour[1] * 255;
  const blue = colour[2] * 255;
  const alpha = colour[3];

  for (let row = row0; row <= row1; row++) {
    const relZ = rowToZ(camera, row) - cz;
    for (let column = column0; column <= column1; column++) {
      const relX = columnToX(camera, column) - cx;
      // The pixel's line starts at the geom's depth (world y = cy) and runs along +y.
      const ox = r00 * relX + r20 * relZ;
      const oy = r01 * relX + r21 * relZ;
      const oz = r02 * relX + r22 * relZ;
      let found: boolean;
      if (type === codes.capsule) found = hitCapsule(ox, oy, oz, dx, dy, dz, s0, s1, hit);
      else if (type === codes.sphere) found = hitSphere(ox, oy, oz, dx, dy, dz, s0, hit);
      else if (type === codes.cylinder) found = hitCylinder(ox, oy, oz, dx, dy, dz, s0, s1, hit);
      else if (type === codes.ellipsoid) found = hitEllipsoid(ox, oy, oz, dx, dy, dz, s0, s1, s2, hit);
      else found = hitBox(ox, oy, oz, dx, dy, dz, bx, by, bz, hx, hy, hz, hit);
      if (!found) continue;
      const y = cy + hit[0];
      const p = row * width + column;
      if (y >= depth[p]) continue;
      depth[p] = y;
      const lambert = Math.max(0, hit[1] * lx + hit[2] * ly + hit[3] * lz);
      const depthShade = clamp(1 - DEPTH_SHADING_PER_METRE * (y - camera.focusY), DEPTH_SHADING_MIN, DEPTH_SHADING_MAX);
      const intensity = (AMBIENT + DIFFUSE * lambert) * depthShade;
      const q = 3 * p;
      rgb[q] = blend(rgb[q], red * intensity, alpha);
      rgb[q + 1] = blend(rgb[q + 1], green * intensity, alpha);
      rgb[q + 2] = blend(rgb[q + 2], blue * intensity, alpha);
    }
  }
}

/** Translucent geoms are mixed over what was drawn before them (an approximation: drawing order is model order). */
function blend(below: number, value: number, alpha: number): number {
  const mixed = alpha >= 1 ? value : below + (value - below) * alpha;
  return mixed >= 255 ? 255 : mixed <= 0 ? 0 : mixed + 0.5;
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

function normalise(x: number, y: number, z: number): readonly [number, number, number] {
  const length = Math.hypot(x, y, z);
  return [x / length, y / length, z / length];
}
