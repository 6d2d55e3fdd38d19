import type { Rng } from '@rlft/core';
import { EMPTY, OTHER, OWN, countEmpty, hasLine } from './board.js';

/**
 * Exact game values by negamax over every position, memoised by the board's base-3 code
 * (3^9 entries). A position is seen by the player to move (1 = mover). Its value is
 * positive for a forced win, negative for a forced loss, 0 for a draw; a decided game is
 * worth 1 + the number of empty cells left, so a perfect player wins as early and loses as
 * late as it can.
 */
const UNKNOWN = 127;
const values = new Int8Array(19683).fill(UNKNOWN);

function codeOf(board: ArrayLike<number>): number {
  let code = 0;
  for (let i = 8; i >= 0; i--) code = code * 3 + board[i];
  return code;
}

/** The value of a position for the player to move (`board` from that player's side). */
export function positionValue(board: ArrayLike<number>): number {
  const code = codeOf(board);
  const known = values[code];
  if (known !== UNKNOWN) return known;
  const empty = countEmpty(board);
  let value: number;
  if (hasLine(board, OTHER)) value = -(1 + empty);
  else if (hasLine(board, OWN)) value = 1 + empty;
  else if (empty === 0) value = 0;
  else {
    value = -UNKNOWN;
    const child = new Int32Array(9);
    for (let cell = 0; cell < 9; cell++) {
      if (board[cell] !== EMPTY) continue;
      value = Math.max(value, -positionValue(childOf(board, cell, child)));
    }
  }
  values[code] = value;
  return value;
}

/** The position after the mover plays `cell`, seen by the next mover. */
function childOf(board: ArrayLike<number>, cell: number, out: Int32Array): Int32Array {
  for (let i = 0; i < 9; i++) out[i] = board[i] === OWN ? OTHER : board[i] === OTHER ? OWN : EMPTY;
  out[cell] = OTHER;
  return out;
}

/** The value of each move for the mover (NaN for occupied cells). */
export function moveValues(board: ArrayLike<number>, out: Float64Array = new Float64Array(9)): Float64Array {
  const child = new Int32Array(9);
  for (let cell = 0; cell < 9; cell++) {
    out[cell] = board[cell] === EMPTY ? 0 - positionValue(childOf(board, cell, child)) : NaN; // 0 − v: a draw is +0, not −0
  }
  return out;
}

const scratchValues = new Float64Array(9);
const scratchBest = new Int32Array(9);

/**
 * A perfect player's move for the mover (`board` from its side): one of the best moves,
 * chosen uniformly by `rng` among equals so that seeded games vary but repeat exactly.
 */
export function minimaxMove(board: ArrayLike<number>, rng: Rng): number {
  moveValues(board, scratchValues);
  let best = -Infinity;
  let count = 0;
  for (let cell = 0; cell < 9; cell++) {
    const value = scratchValues[cell];
    if (Number.isNaN(value)) continue;
    if (value > best) {
      best = value;
      count = 0;
    }
    if (value === best) scratchBest[count++] = cell;
  }
  if (count === 0) throw new RangeError('minimaxMove: the board has no empty cell');
  return count === 1 ? scratchBest[0] : scratchBest[rng.integer(0, count - 1)];
}
