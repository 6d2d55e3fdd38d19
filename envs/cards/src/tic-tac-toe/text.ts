/** Plain-language views of a tic-tac-toe position, for language-model policies and 'ansi' rendering. */

export type Mark = 'X' | 'O';

export function otherMark(mark: Mark): Mark {
  return mark === 'X' ? 'O' : 'X';
}

/** Rows like ` X | O | 2 `; empty cells show their number when `numbered`, else '.'. */
export function drawBoard(board: ArrayLike<number>, agentMark: Mark, numbered: boolean): string {
  const opponentMark = otherMark(agentMark);
  const rows: string[] = [];
  for (let row = 0; row < 3; row++) {
    const cells: string[] = [];
    for (let col = 0; col < 3; col++) {
      const cell = 3 * row + col;
      const v = board[cell];
      cells.push(v === 1 ? agentMark : v === 2 ? opponentMark : numbered ? String(cell) : '.');
    }
    rows.push(` ${cells.join(' | ')} `);
  }
  return rows.join('\n---+---+---\n');
}

export function describeTurn(board: ArrayLike<number>, agentMark: Mark, opponentMove: number | undefined): string {
  const lead = opponentMove === undefined ? '' : `The opponent (${otherMark(agentMark)}) played cell ${opponentMove}.\n`;
  return (
    `${lead}You play ${agentMark}. Cells are numbered 0–8 row by row; empty cells show their number:\n` +
    `${drawBoard(board, agentMark, true)}\nChoose an empty cell.`
  );
}
