import { describe, expect, it } from 'vitest';
import { plateAngularVelocity, tiltMatrix, tiltQuaternion, toPlate, toWorld } from './plate-frame.js';

/** Rotates v by a unit quaternion (v' = q v q*), written out independently of tiltMatrix. */
function rotateByQuaternion(q: { x: number; y: number; z: number; w: number }, v: [number, number, number]): number[] {
  const [vx, vy, vz] = v;
  // t = 2 (q.xyz × v); v' = v + w t + q.xyz × t
  const tx = 2 * (q.y * vz - q.z * vy);
  const ty = 2 * (q.z * vx - q.x * vz);
  const tz = 2 * (q.x * vy - q.y * vx);
  return [vx + q.w * tx + (q.y * tz - q.z * ty), vy + q.w * ty + (q.z * tx - q.x * tz), vz + q.w * tz + (q.x * ty - q.y * tx)];
}

const tilts: [number, number][] = [
  [0, 0],
  [0.2, 0],
  [0, 0.2],
  [0.3, -0.15],
  [-0.45, 0.4],
];

describe('the plate frame', () => {
  it('lowers the +x edge for a positive tilt x and the +y edge for a positive tilt y', () => {
    const r = new Float64Array(9);
    const edge = new Float64Array(3);
    toWorld(tiltMatrix(0.1, 0, r), 1, 0, 0, edge);
    expect(edge[2]).toBeCloseTo(-Math.sin(0.1), 15);
    toWorld(tiltMatrix(0, 0.1, r), 0, 1, 0, edge);
    expect(edge[2]).toBeCloseTo(-Math.sin(0.1), 15);
  });

  it('gives the same rotation as a quaternion (for Rapier) and as a matrix (for observations)', () => {
    const r = new Float64Array(9);
    const out = new Float64Array(3);
    for (const [tx, ty] of tilts) {
      const q = tiltQuaternion(tx, ty, { x: 0, y: 0, z: 0, w: 0 });
      expect(Math.hypot(q.x, q.y, q.z, q.w)).toBeCloseTo(1, 14);
      tiltMatrix(tx, ty, r);
      for (const v of [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0.3, -0.7, 0.2],
      ] as [number, number, number][]) {
        toWorld(r, v[0], v[1], v[2], out);
        const expected = rotateByQuaternion(q, v);
        for (let i = 0; i < 3; i++) expect(out[i]).toBeCloseTo(expected[i], 14);
      }
    }
  });

  it('toPlate undoes toWorld', () => {
    const r = tiltMatrix(0.3, -0.2, new Float64Array(9));
    const world = new Float64Array(3);
    const back = new Float64Array(3);
    toWorld(r, 0.1, -0.05, 0.025, world);
    toPlate(r, world[0], world[1], world[2], back);
    expect(back[0]).toBeCloseTo(0.1, 15);
    expect(back[1]).toBeCloseTo(-0.05, 15);
    expect(back[2]).toBeCloseTo(0.025, 15);
  });

  it('gives the angular velocity that moves plate points as the tilt angles change', () => {
    const [tx, ty, rx, ry] = [0.25, -0.1, 1.5, -0.8];
    const dt = 1e-7;
    const before = tiltMatrix(tx, ty, new Float64Array(9));
    const after = tiltMatrix(tx + rx * dt, ty + ry * dt, new Float64Array(9));
    const w = plateAngularVelocity(tx, rx, ry, new Float64Array(3));
    const p = new Float64Array(3);
    const q = new Float64Array(3);
    for (const point of [
      [0.2, 0, 0],
      [0, 0.2, 0],
      [0.1, -0.1, 0.05],
    ]) {
      toWorld(before, point[0], point[1], point[2], p);
      toWorld(after, point[0], point[1], point[2], q);
      const velocity = [(q[0] - p[0]) / dt, (q[1] - p[1]) / dt, (q[2] - p[2]) / dt];
      const cross = [w[1] * p[2] - w[2] * p[1], w[2] * p[0] - w[0] * p[2], w[0] * p[1] - w[1] * p[0]];
      for (let i = 0; i < 3; i++) expect(velocity[i]).toBeCloseTo(cross[i], 5);
    }
  });
});
