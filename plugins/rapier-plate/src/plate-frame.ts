/**
 * The plate's orientation from its two tilt angles. `tiltX` turns the plate about the world
 * y axis so that its +x edge goes down (a ball then rolls toward +x); `tiltY` turns it about
 * its own x axis so that its +y edge goes down. As rotations: R = Ry(tiltX) · Rx(−tiltY).
 */

/** Quaternion components of R, in Rapier's {x, y, z, w} layout. */
export interface Quaternion {
  x: number;
  y: number;
  z: number;
  w: number;
}

export function tiltQuaternion(tiltX: number, tiltY: number, out: Quaternion): Quaternion {
  const sa = Math.sin(tiltX / 2);
  const ca = Math.cos(tiltX / 2);
  const sb = Math.sin(-tiltY / 2);
  const cb = Math.cos(-tiltY / 2);
  // qy(tiltX) ⊗ qx(−tiltY)
  out.x = ca * sb;
  out.y = sa * cb;
  out.z = -sa * sb;
  out.w = ca * cb;
  return out;
}

/** R as a row-major 3×3 matrix: its columns are the plate's x, y and normal axes in world coordinates. */
export function tiltMatrix(tiltX: number, tiltY: number, out: Float64Array): Float64Array {
  const sa = Math.sin(tiltX);
  const ca = Math.cos(tiltX);
  const sb = Math.sin(-tiltY);
  const cb = Math.cos(-tiltY);
  out[0] = ca;
  out[1] = sa * sb;
  out[2] = sa * cb;
  out[3] = 0;
  out[4] = cb;
  out[5] = -sb;
  out[6] = -sa;
  out[7] = ca * sb;
  out[8] = ca * cb;
  return out;
}

/** Writes R·v (plate coordinates → world) into `out` at `offset`. */
export function toWorld(r: Float64Array, x: number, y: number, z: number, out: Float64Array, offset = 0): void {
  out[offset] = r[0] * x + r[1] * y + r[2] * z;
  out[offset + 1] = r[3] * x + r[4] * y + r[5] * z;
  out[offset + 2] = r[6] * x + r[7] * y + r[8] * z;
}

/** Writes Rᵀ·v (world → plate coordinates) into `out` at `offset`. */
export function toPlate(r: Float64Array, x: number, y: number, z: number, out: Float64Array, offset = 0): void {
  out[offset] = r[0] * x + r[3] * y + r[6] * z;
  out[offset + 1] = r[1] * x + r[4] * y + r[7] * z;
  out[offset + 2] = r[2] * x + r[5] * y + r[8] * z;
}

/**
 * The plate's angular velocity in world coordinates for tilt rates (ẋ, ẏ) at tilt angle
 * `tiltX`: ω = ẋ·ŷ + Ry(tiltX)·(−ẏ·x̂).
 */
export function plateAngularVelocity(tiltX: number, rateX: number, rateY: number, out: Float64Array): Float64Array {
  out[0] = -rateY * Math.cos(tiltX);
  out[1] = rateX;
  out[2] = rateY * Math.sin(tiltX);
  return out;
}
