import type { Rng } from '@rlft/core';

/** Cell codes in the observation grid. */
export const EMPTY = 0;
export const WALL = 1;
export const GOAL = 2;
export const AGENT = 3;

/**
 * Moves in FrozenLake's order: 0 left, 1 down, 2 right, 3 up, as (row, column) steps.
 * Row 0 is the top of the rendered grid.
 */
export const MOVES: readonly (readonly [number, number])[] = [
  [0, -1],
  [1, 0],
  [0, 1],
  [-1, 0],
];
export const ACTION_NAMES = ['left', 'down', 'right', 'up'] as const;

/** One episode's map: cells are numbered row-major, `r * size + c`. */
export interface Layout {
  size: number;
  /** 1 where a cell is a wall. */
  walls: Uint8Array;
  start: number;
  goal: number;
}

/** Attempts before giving up on walls altogether (reached only with dense walls and bad luck). */
const MAX_ATTEMPTS = 1000;

/**
 * Draw a map: each cell is a wall with probability `wallDensity`, the agent starts on a
 * random free cell, and the goal is a random other cell reachable from the start, so every
 * episode can be solved.
 */
export function generateLayout(size: number, wallDensity: number, rng: Rng): Layout {
  const cells = size * size;
  const distances = new Int32Array(cells);
  const queue = new Int32Array(cells);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const walls = new Uint8Array(cells);
    for (let i = 0; i < cells; i++) walls[i] = rng.random() < wallDensity ? 1 : 0;
    const free: number[] = [];
    for (let i = 0; i < cells; i++) if (!walls[i]) free.push(i);
    if (free.length < 2) continue;
    const start = free[rng.integer(0, free.length - 1)];
    shortestDistances(size, walls, start, distances, queue);
    const reachable = free.filter((cell) => cell !== start && distances[cell] > 0);
    if (reachable.length === 0) continue;
    return { size, walls, start, goal: reachable[rng.integer(0, reachable.length - 1)] };
  }
  const start = rng.integer(0, cells - 1);
  let goal = rng.integer(0, cells - 2);
  if (goal >= start) goal++;
  return { size, walls: new Uint8Array(cells), start, goal };
}

/** The cell reached by taking `action` from `cell`; walls and the edge leave the agent where it is. */
export function moveFrom(size: number, walls: Uint8Array, cell: number, action: number): number {
  const [dr, dc] = MOVES[action];
  const row = Math.floor(cell / size) + dr;
  const column = (cell % size) + dc;
  if (row < 0 || row >= size || column < 0 || column >= size) return cell;
  const next = row * size + column;
  return walls[next] ? cell : next;
}

/**
 * Breadth-first distances (in moves) from `from` to every cell, -1 where unreachable.
 * `out` and `queue` are caller-owned buffers of size*size cells, so repeated searches do not allocate.
 */
export function shortestDistances(size: number, walls: Uint8Array, from: number, out: Int32Array, queue: Int32Array): Int32Array {
  out.fill(-1);
  out[from] = 0;
  queue[0] = from;
  let head = 0;
  let tail = 1;
  while (head < tail) {
    const cell = queue[head++];
    for (let action = 0; action < MOVES.length; action++) {
      const next = moveFrom(size, walls, cell, action);
      if (out[next] === -1) {
        out[next] = out[cell] + 1;
        queue[tail++] = next;
      }
    }
  }
  return out;
}
