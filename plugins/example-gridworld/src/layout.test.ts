import { Rng } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { generateLayout, moveFrom, shortestDistances } from './layout.js';

// 3x3, walls marked #:   . # .
//                        . # .
//                        . . .
const size = 3;
const walls = Uint8Array.from([0, 1, 0, 0, 1, 0, 0, 0, 0]);

describe('moveFrom', () => {
  it('moves one cell (0 left, 1 down, 2 right, 3 up)', () => {
    expect(moveFrom(size, walls, 3, 1)).toBe(6);
    expect(moveFrom(size, walls, 6, 2)).toBe(7);
    expect(moveFrom(size, walls, 6, 3)).toBe(3);
    expect(moveFrom(size, walls, 8, 0)).toBe(7);
  });

  it('stays put at the edge and in front of a wall', () => {
    expect(moveFrom(size, walls, 0, 0)).toBe(0);
    expect(moveFrom(size, walls, 0, 3)).toBe(0);
    expect(moveFrom(size, walls, 0, 2)).toBe(0);
    expect(moveFrom(size, walls, 7, 3)).toBe(7);
    expect(moveFrom(size, walls, 2, 2)).toBe(2);
  });
});

describe('shortestDistances', () => {
  it('counts moves around walls and marks walls unreachable', () => {
    const out = shortestDistances(size, walls, 0, new Int32Array(9), new Int32Array(9));
    expect(Array.from(out)).toEqual([0, -1, 6, 1, -1, 5, 2, 3, 4]);
  });
});

describe('generateLayout', () => {
  it('places start and goal on distinct free cells with a path between them', () => {
    const rng = Rng.fromSeed(3);
    for (let i = 0; i < 200; i++) {
      const layout = generateLayout(6, 0.4, rng);
      expect(layout.start).not.toBe(layout.goal);
      expect(layout.walls[layout.start]).toBe(0);
      expect(layout.walls[layout.goal]).toBe(0);
      const distance = shortestDistances(6, layout.walls, layout.start, new Int32Array(36), new Int32Array(36));
      expect(distance[layout.goal]).toBeGreaterThan(0);
    }
  });

  it('is a function of the generator: same seed, same map', () => {
    const a = generateLayout(8, 0.2, Rng.fromSeed(11));
    const b = generateLayout(8, 0.2, Rng.fromSeed(11));
    const c = generateLayout(8, 0.2, Rng.fromSeed(12));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('makes walls at about the requested density', () => {
    const rng = Rng.fromSeed(0);
    let wallCells = 0;
    for (let i = 0; i < 100; i++) wallCells += generateLayout(10, 0.25, rng).walls.reduce((sum, w) => sum + w, 0);
    expect(wallCells / (100 * 100)).toBeGreaterThan(0.2);
    expect(wallCells / (100 * 100)).toBeLessThan(0.3);
  });
});
