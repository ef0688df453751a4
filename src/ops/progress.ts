/**
 * Progress for long operations (import, export): a bar redrawn in place on a terminal, plain lines otherwise (a log
 * file or a pipe must not fill with carriage returns).
 */
import { opsLimits } from '../lib/limits.js';

export interface ProgressSink {
  /** Writes raw text (no newline added). */
  write(text: string): void;
  isTTY: boolean;
}

export class Progress {
  #done = 0;
  #skipped = 0;
  #lastDraw = 0;
  readonly #started: number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly verb: string,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#started = now();
  }

  get done(): number {
    return this.#done;
  }

  get skipped(): number {
    return this.#skipped;
  }

  /** Messages per second so far (skipped ones count: they were read and compared). */
  get rate(): number {
    const s = (this.now() - this.#started) / 1000;
    return s > 0 ? (this.#done + this.#skipped) / s : 0;
  }

  step(skipped = false): void {
    if (skipped) this.#skipped++;
    else this.#done++;
    const n = this.#done + this.#skipped;
    if (this.sink.isTTY) {
      // Redraw at most ten times a second: drawing every message would cost more than importing it.
      if (n === this.total || this.now() - this.#lastDraw >= 100) this.#draw();
    } else if (n % opsLimits.progressEveryMessages === 0) this.sink.write(`${this.#line()}\n`);
  }

  finish(): void {
    if (this.sink.isTTY) {
      this.#draw();
      this.sink.write('\n');
    }
  }

  #line(): string {
    const n = this.#done + this.#skipped;
    return `${this.verb} ${n}/${this.total} messages${this.#skipped ? ` (${this.#skipped} already there)` : ''}, ${Math.round(this.rate)}/s`;
  }

  #draw(): void {
    this.#lastDraw = this.now();
    const width = 30;
    const n = this.#done + this.#skipped;
    const filled = this.total > 0 ? Math.round((n / this.total) * width) : width;
    this.sink.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.#line()}\x1b[K`);
  }
}
