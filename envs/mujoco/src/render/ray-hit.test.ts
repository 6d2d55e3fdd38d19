import { describe, expect, it } from 'vitest';
import { createHitRecord, hitBox, hitCapsule, hitCylinder, hitEllipsoid, hitSphere } from './ray-hit.js';

type Inside = (x: number, y: number, z: number) => boolean;
type Cast = (ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, out: Float64Array) => boolean;

const STEP = 1e-3;

/** The first t in [-3, 3] at which the line is inside the solid, by marching; NaN when it never is. */
function marchedEntry(inside: Inside, o: readonly number[], d: readonly number[]): number {
  for (let t = -3; t <= 3; t += STEP) {
    if (inside(o[0] + t * d[0], o[1] + t * d[1], o[2] + t * d[2])) return t;
  }
  return NaN;
}

/** Deterministic pseudo-random lines through the neighbourhood of the origin, with unit directions. */
function* lines(count: number): Generator<[number[], number[]]> {
  let state = 12345;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = 0; i < count; i++) {
    const o = [next() * 2 - 1, next() * 2 - 1, next() * 2 - 1];
    const d = [next() * 2 - 1, next() * 2 - 1, next() * 2 - 1];
    const length = Math.hypot(d[0], d[1], d[2]);
    yield [o, d.map((v) => v / length)];
  }
}

/** Analytic entry points agree with marching, and normals point outwards against the line. */
function checkAgainstMarching(inside: Inside, cast: Cast): { hits: number } {
  const out = createHitRecord();
  let hits = 0;
  let grazes = 0;
  for (const [o, d] of lines(400)) {
    const marched = marchedEntry(inside, o, d);
    const found = cast(o[0], o[1], o[2], d[0], d[1], d[2], out);
    if (Number.isNaN(marched)) {
      // Only a line that grazes the surface can slip between marching steps.
      if (found) grazes++;
      continue;
    }
    expect(found).toBe(true);
    expect(out[0]).toBeGreaterThan(marched - 2 * STEP);
    expect(out[0]).toBeLessThanOrEqual(marched + 1e-9);
    expect(Math.hypot(out[1], out[2], out[3])).toBeCloseTo(1, 9);
    expect(out[1] * d[0] + out[2] * d[1] + out[3] * d[2]).toBeLessThanOrEqual(1e-9);
    hits++;
  }
  expect(grazes).toBeLessThanOrEqual(2);
  return { hits };
}

describe('line–primitive intersections (geom frame)', () => {
  it('sphere: entry point and normal on a line through the centre', () => {
    const out = createHitRecord();
    expect(hitSphere(0, 0, 0, 0, 1, 0, 0.5, out)).toBe(true);
    expect([...out]).toEqual([-0.5, 0, -1, 0]);
    expect(hitSphere(0.6, 0, 0, 0, 1, 0, 0.5, out)).toBe(false);
  });

  it('capsule: side, end cap and miss', () => {
    const out = createHitRecord();
    expect(hitCapsule(0, 0, 0.3, 0, 1, 0, 0.1, 0.5, out)).toBe(true);
    expect(out[0]).toBeCloseTo(-0.1, 12);
    expect(out[3]).toBe(0);
    // Beyond the segment's end the line meets the hemisphere: |z − h| = 0.05 → depth √(0.1² − 0.05²).
    expect(hitCapsule(0, 0, 0.55, 0, 1, 0, 0.1, 0.5, out)).toBe(true);
    expect(out[0]).toBeCloseTo(-Math.sqrt(0.01 - 0.0025), 12);
    expect(out[3]).toBeGreaterThan(0);
    expect(hitCapsule(0, 0, 0.61, 0, 1, 0, 0.1, 0.5, out)).toBe(false);
  });

  it('cylinder: flat cap seen end-on', () => {
    const out = createHitRecord();
    expect(hitCylinder(0.1, 0, 0, 0, 0, 1, 0.2, 0.3, out)).toBe(true);
    expect([...out]).toEqual([-0.3, 0, 0, -1]);
  });

  it('box: the face crossed first, offset centre', () => {
    const out = createHitRecord();
    expect(hitBox(1.1, 0, 0, 0, 1, 0, 1, 0, 0, 0.2, 0.3, 0.4, out)).toBe(true);
    expect([...out]).toEqual([-0.3, 0, -1, 0]);
    expect(hitBox(1.3, 0, 0, 0, 1, 0, 1, 0, 0, 0.2, 0.3, 0.4, out)).toBe(false);
  });

  it('sphere agrees with marching on random lines', () => {
    const r = 0.6;
    const { hits } = checkAgainstMarching((x, y, z) => x * x + y * y + z * z <= r * r, (ox, oy, oz, dx, dy, dz, out) => hitSphere(ox, oy, oz, dx, dy, dz, r, out));
    expect(hits).toBeGreaterThan(50);
  });

  it('capsule agrees with marching on random lines', () => {
    const [r, h] = [0.25, 0.5];
    const inside: Inside = (x, y, z) => {
      const c = Math.max(-h, Math.min(h, z));
      return x * x + y * y + (z - c) ** 2 <= r * r;
    };
    const { hits } = checkAgainstMarching(inside, (ox, oy, oz, dx, dy, dz, out) => hitCapsule(ox, oy, oz, dx, dy, dz, r, h, out));
    expect(hits).toBeGreaterThan(50);
  });

  it('cylinder agrees with marching on random lines', () => {
    const [r, h] = [0.4, 0.3];
    const { hits } = checkAgainstMarching(
      (x, y, z) => x * x + y * y <= r * r && Math.abs(z) <= h,
      (ox, oy, oz, dx, dy, dz, out) => hitCylinder(ox, oy, oz, dx, dy, dz, r, h, out),
    );
    expect(hits).toBeGreaterThan(50);
  });

  it('ellipsoid agrees with marching on random lines', () => {
    const [a, b, c] = [0.7, 0.3, 0.45];
    const { hits } = checkAgainstMarching(
      (x, y, z) => (x / a) ** 2 + (y / b) ** 2 + (z / c) ** 2 <= 1,
      (ox, oy, oz, dx, dy, dz, out) => hitEllipsoid(ox, oy, oz, dx, dy, dz, a, b, c, out),
    );
    expect(hits).toBeGreaterThan(50);
  });

  it('box agrees with marching on random lines', () => {
    const [cx, cy, cz, sx, sy, sz] = [0.1, -0.2, 0.05, 0.5, 0.2, 0.35];
    const { hits } = checkAgainstMarching(
      (x, y, z) => Math.abs(x - cx) <= sx && Math.abs(y - cy) <= sy && Math.abs(z - cz) <= sz,
      (ox, oy, oz, dx, dy, dz, out) => hitBox(ox, oy, oz, dx, dy, dz, cx, cy, cz, sx, sy, sz, out),
    );
    expect(hits).toBeGreaterThan(50);
  });
});
