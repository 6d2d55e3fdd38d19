/**
 * A small character canvas for 'ansi' renders: rows of characters, with segments drawn in
 * the character that best shows their slope. Coordinates are (column, row), row 0 on top;
 * anything outside the grid is clipped.
 */
export class CharGrid {
  readonly width: number;
  readonly height: number;
  private readonly cells: string[][];

  constructor(width: number, height: number, fill = ' ') {
    this.width = width;
    this.height = height;
    this.cells = Array.from({ length: height }, () => new Array<string>(width).fill(fill));
  }

  put(column: number, row: number, char: string): void {
    const c = Math.round(column);
    const r = Math.round(row);
    if (r >= 0 && r < this.height && c >= 0 && c < this.width) this.cells[r][c] = char;
  }

  /** Writes `text` left to right from (column, row). */
  text(column: number, row: number, text: string): void {
    for (let i = 0; i < text.length; i++) this.put(column + i, row, text[i]);
  }

  /** A straight segment drawn with '-', '|', '/' or '\' depending on its direction (row axis points down). */
  segment(fromColumn: number, fromRow: number, toColumn: number, toRow: number, char?: string): void {
    const dc = toColumn - fromColumn;
    const dr = toRow - fromRow;
    const glyph = char ?? slopeGlyph(dc, dr);
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(dc), Math.abs(dr)) * 2));
    for (let i = 0; i <= steps; i++) {
      const t = i / steps;
      this.put(fromColumn + dc * t, fromRow + dr * t, glyph);
    }
  }

  toString(): string {
    return this.cells.map((row) => row.join('').replace(/\s+$/, '')).join('\n');
  }
}

/** Character cells are about twice as tall as wide, so compare |dc| with 2·|dr|. */
function slopeGlyph(dc: number, dr: number): string {
  const across = Math.abs(dc);
  const down = 2 * Math.abs(dr);
  if (across > 2.4 * down) return '-';
  if (down > 2.4 * across) return '|';
  return (dc > 0) === (dr < 0) ? '/' : '\\';
}

/** A signed number with fixed decimals, for the numeric line under a picture. */
export function signed(value: number, digits: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}
