/**
 * A progress line on stderr. On a terminal it rewrites one line in place; elsewhere (log
 * files, `--progress` in a pipe) it appends a line at most once a second.
 */
export class ProgressLine {
  private readonly stream: NodeJS.WriteStream;
  private readonly interactive: boolean;
  private readonly intervalMs: number;
  private lastWrite = -Infinity;
  private shown = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
    this.interactive = Boolean(stream.isTTY);
    this.intervalMs = this.interactive ? 100 : 1000;
  }

  /** Show `text` unless the last update was too recent (`force` shows it anyway). */
  update(text: string, force = false): void {
    const now = performance.now();
    if (!force && now - this.lastWrite < this.intervalMs) return;
    this.lastWrite = now;
    this.shown = true;
    this.stream.write(this.interactive ? `\r\x1b[2K${text}` : `${text}\n`);
  }

  /** Remove the line (on a terminal) so results print on a clean line. */
  clear(): void {
    if (this.interactive && this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
