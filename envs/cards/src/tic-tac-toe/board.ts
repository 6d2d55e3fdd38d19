/**
 * Tic-tac-toe boards as 9 cells in row-major order (cell = 3·row + column). Boards are seen
 * from one player's side: 0 empty, 1 that player's mark, 2 the other player's.
 */

export const EMPTY = 0;
export const OWN = 1;
export const OTHER = 2;

/** The eight lines of three: rows, columns, diagonals. */
export const LINES: readonly (readonly [number, number, number])[] = [
  [0, 1, 2], [3, 4, 5], [6, 7, 8],
  [0, 3, 6], [1, 4, 7], [2, 5, 8],
  [0, 4, 8], [2, 4, 6],
];

/** Whether `mark` fills a whole line. */
export function hasLine(board: ArrayLike<number>, mark: number): boolean {
  for (const [a, b, c] of LINES) if (board[a] === mark && board[b] === mark && board[c] === mark) return true;
  return false;
}

export function countEmpty(board: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < 9; i++) if (board[i] === EMPTY) n++;
  return n;
}

/** Write 1 for every empty cell and 0 elsewhere into `mask`. */
export function fillLegalMask(board: ArrayLike<number>, mask: { [i: number]: number; length: number }): void {
  for (let i = 0; i < 9; i++) mask[i] = board[i] === EMPTY ? 1 : 0;
}

/** The same position seen by the other player (1 and 2 swapped). */
export function swapSides(board: ArrayLike<number>, out: Int32Array = new Int32Array(9)): Int32Array {
  for (let i = 0; i < 9; i++) out[i] = board[i] === OWN ? OTHER : board[i] === OTHER ? OWN : EMPTY;
  return out;
}
