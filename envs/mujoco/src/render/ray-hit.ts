// Where a straight line first meets a MuJoCo primitive, worked out in the geom's own frame
// (centre at the origin, MuJoCo's size conventions). The side view casts one such line per
// pixel along +y; the smaller root is the surface that faces the camera.

/**
 * The result slot every `hit*` function writes on success: `[t, nx, ny, nz]`, the line
 * parameter of the first crossing and the outward unit normal there (geom frame). Callers
 * allocate one and reuse it for every pixel.
 */
export type HitRecord = Float64Array;

export function createHitRecord(): HitRecord {
  return new Float64Array(4);
}

const PARALLEL = 1e-12;

/**
 * Sphere of radius `r` at the origin, line `o + t·d` with |d| = 1.
 * Returns false when the line misses.
 */
export function hitSphere(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, r: number, out: HitRecord): boolean {
  const b = ox * dx + oy * dy + oz * dz;
  const c = ox * ox + oy * oy + oz * oz - r * r;
  const disc = b * b - c;
  if (disc < 0) return false;
  const t = -b - Math.sqrt(disc);
  out[0] = t;
  out[1] = (ox + t * dx) / r;
  out[2] = (oy + t * dy) / r;
  out[3] = (oz + t * dz) / r;
  return true;
}

/** Capsule of radius `r` whose segment runs from z = −h to z = +h (MuJoCo: size = [r, h]). */
export function hitCapsule(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, r: number, h: number, out: HitRecord): boolean {
  const a = dx * dx + dy * dy;
  if (a > PARALLEL) {
    const b = ox * dx + oy * dy;
    const c = ox * ox + oy * oy - r * r;
    const disc = b * b - a * c;
    // The capsule lies inside the infinite cylinder, so missing that misses everything.
    if (disc < 0) return false;
    const t = (-b - Math.sqrt(disc)) / a;
    const z = oz + t * dz;
    // An entry through the side is always the first one: the end spheres are inside the cylinder.
    if (z >= -h && z <= h) {
      out[0] = t;
      out[1] = (ox + t * dx) / r;
      out[2] = (oy + t * dy) / r;
      out[3] = 0;
      return true;
    }
  }
  // Otherwise the line enters through one of the end caps: the nearer of the two spheres.
  let found = false;
  let t = Infinity;
  let nx = 0;
  let ny = 0;
  let nz = 0;
  for (let end = -1; end <= 1; end += 2) {
    if (hitSphere(ox, oy, oz - end * h, dx, dy, dz, r, out) && out[0] < t) {
      found = true;
      t = out[0];
      nx = out[1];
      ny = out[2];
      nz = out[3];
    }
  }
  if (!found) return false;
  out[0] = t;
  out[1] = nx;
  out[2] = ny;
  out[3] = nz;
  return true;
}

/** Ellipsoid with semi-axes `sx, sy, sz` (MuJoCo: size = [sx, sy, sz]). */
export function hitEllipsoid(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, sx: number, sy: number, sz: number, out: HitRecord): boolean {
  // In coordinates scaled by the semi-axes the ellipsoid is the unit sphere.
  const px = ox / sx;
  const py = oy / sy;
  const pz = oz / sz;
  const qx = dx / sx;
  const qy = dy / sy;
  const qz = dz / sz;
  const a = qx * qx + qy * qy + qz * qz;
  const b = px * qx + py * qy + pz * qz;
  const c = px * px + py * py + pz * pz - 1;
  const disc = b * b - a * c;
  if (disc < 0) return false;
  const t = (-b - Math.sqrt(disc)) / a;
  // The gradient of (x/sx)² + … is the normal direction.
  const nx = (ox + t * dx) / (sx * sx);
  const ny = (oy + t * dy) / (sy * sy);
  const nz = (oz + t * dz) / (sz * sz);
  const length = Math.hypot(nx, ny, nz);
  out[0] = t;
  out[1] = nx / length;
  out[2] = ny / length;
  out[3] = nz / length;
  return true;
}

/** Cylinder of radius `r` from z = −h to z = +h (MuJoCo: size = [r, h]). */
export function hitCylinder(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, r: number, h: number, out: HitRecord): boolean {
  let near = -Infinity;
  let far = Infinity;
  let onSide = true;
  const a = dx * dx + dy * dy;
  if (a > PARALLEL) {
    const b = ox * dx + oy * dy;
    const c = ox * ox + oy * oy - r * r;
    const disc = b * b - a * c;
    if (disc < 0) return false;
    const root = Math.sqrt(disc);
    near = (-b - root) / a;
    far = (-b + root) / a;
  } else if (ox * ox + oy * oy > r * r) {
    return false;
  }
  if (Math.abs(dz) > PARALLEL) {
    const t0 = (-h - oz) / dz;
    const t1 = (h - oz) / dz;
    const enter = Math.min(t0, t1);
    const exit = Math.max(t0, t1);
    if (enter > near) {
      near = enter;
      onSide = false;
    }
    if (exit < far) far = exit;
  } else if (oz < -h || oz > h) {
    return false;
  }
  if (near > far) return false;
  out[0] = near;
  if (onSide) {
    out[1] = (ox + near * dx) / r;
    out[2] = (oy + near * dy) / r;
    out[3] = 0;
  } else {
    out[1] = 0;
    out[2] = 0;
    out[3] = dz > 0 ? -1 : 1;
  }
  return true;
}

/** Box with half-sizes `sx, sy, sz` centred at `(cx, cy, cz)` (MuJoCo: size = [sx, sy, sz]; the centre is non-zero for mesh bounding boxes). */
export function hitBox(
  ox: number,
  oy: number,
  oz: number,
  dx: number,
  dy: number,
  dz: number,
  cx: number,
  cy: number,
  cz: number,
  sx: number,
  sy: number,
  sz: number,
  out: HitRecord,
): boolean {
  let near = -Infinity;
  let far = Infinity;
  let axis = -1;
  let sign = 0;
  // Slab method, one axis at a time (unrolled so that nothing is allocated per pixel).
  for (let k = 0; k < 3; k++) {
    const o = k === 0 ? ox - cx : k === 1 ? oy - cy : oz - cz;
    const d = k === 0 ? dx : k === 1 ? dy : dz;
    const s = k === 0 ? sx : k === 1 ? sy : sz;
    if (Math.abs(d) <= PARALLEL) {
      if (o < -s || o > s) return false;
      continue;
    }
    const t0 = (-s - o) / d;
    const t1 = (s - o) / d;
    const enter = Math.min(t0, t1);
    const exit = Math.max(t0, t1);
    if (enter > near) {
      near = enter;
      axis = k;
      sign = d > 0 ? -1 : 1;
    }
    if (exit < far) far = exit;
    if (near > far) return false;
  }
  if (axis < 0) return false;
  out[0] = near;
  out[1] = axis === 0 ? sign : 0;
  out[2] = axis === 1 ? sign : 0;
  out[3] = axis === 2 ? sign : 0;
  return true;
}
