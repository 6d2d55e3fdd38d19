export interface Column<Row> {
  header: string;
  value(row: Row): string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

/** A plain-text table: a header row, a rule, one line per row; columns padded to fit. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i].length)));
  const pad = (text: string, i: number): string =>
    columns[i].align === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (texts: readonly string[]): string => texts.map(pad).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
