/**
 * A progress bar on stderr (so stdout stays clean for JSON output). On a
 * terminal it redraws one line; elsewhere it prints a line every 10 %.
 */
export class ProgressBar {
  private current = 0;
  private lastPrintedDecile = -1;
  private readonly started = Date.now();
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  setTotal(total: number): void {
    this.total = total;
    this.render();
  }

  tick(step = 1, note?: string): void {
    this.current = Math.min(this.total, this.current + step);
    this.render(note);
  }

  update(current: number, note?: string): void {
    this.current = Math.min(this.total, current);
    this.render(note);
  }

  done(note?: string): void {
    this.current = this.total;
    this.render(note);
    if (this.tty) this.stream.write('\n');
  }

  private render(note?: string): void {
    const fraction = this.total > 0 ? this.current / this.total : 1;
    const pct = Math.floor(fraction * 100);
    const elapsed = (Date.now() - this.started) / 1000;
    if (this.tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const line = `${this.label} [${bar}] ${pct}% ${this.current}/${this.total} ${elapsed.toFixed(1)}s${note ? ' ' + note : ''}`;
      this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
      return;
    }
    const decile = Math.floor(pct / 10);
    if (decile !== this.lastPrintedDecile) {
      this.lastPrintedDecile = decile;
      this.stream.write(`${this.label}: ${pct}% (${this.current}/${this.total}) ${elapsed.toFixed(1)}s${note ? ' ' + note : ''}\n`);
    }
  }
}
