/**
 * The one line a terminal progress display keeps at the bottom of standard error, redrawn in place
 * (carriage return, erase line). Whatever else writes to that terminal (the logger's lines) goes through
 * `writeAroundStatusLine`, so the line is erased first and drawn again after: a log line never lands in
 * the middle of it.
 */

/** What a status line writes to: standard error, or a stand-in in tests. */
export interface TerminalStream {
  readonly isTTY?: boolean | undefined;
  /** Width of the terminal; lines are cut to it so that they never wrap (a wrapped line cannot be erased). */
  readonly columns?: number | undefined;
  write(text: string): unknown;
}

const ERASE_LINE = '\r\u001b[2K';
const DEFAULT_COLUMNS = 80;

let active: StatusLine | null = null;

export class StatusLine {
  readonly #stream: TerminalStream;
  #text = '';
  #shown = false;

  constructor(stream: TerminalStream) {
    this.#stream = stream;
  }

  /** Draws `text` in place of the current line (cut to the terminal's width). */
  show(text: string): void {
    // A pseudo-terminal may report 0 columns: then the usual 80.
    const width = Math.max(10, (this.#stream.columns || DEFAULT_COLUMNS) - 1);
    this.#text = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.#stream.write(`${ERASE_LINE}${this.#text}`);
    this.#shown = true;
    this.#activate();
  }

  /** This line is now the one log writes go around. */
  #activate(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the one active line is module state by design
    active = this;
  }

  /** Erases the line (before someone else writes). */
  clear(): void {
    if (!this.#shown) return;
    this.#stream.write(ERASE_LINE);
    this.#shown = false;
  }

  /** Draws the line again (after someone else wrote). */
  redraw(): void {
    if (this.#shown || this.#text === '' || active !== this) return;
    this.#stream.write(`${ERASE_LINE}${this.#text}`);
    this.#shown = true;
  }

  /** Replaces the line with `text` kept for good (ended by a newline); the line is no longer active. */
  finish(text: string): void {
    this.#stream.write(`${ERASE_LINE}${text}\n`);
    this.#text = '';
    this.#shown = false;
    if (active === this) active = null;
  }
}

/** Runs `write` (which writes to the terminal) with the active status line erased, then redraws it. */
export function writeAroundStatusLine(write: () => unknown): void {
  const line = active;
  if (line === null) {
    write();
    return;
  }
  line.clear();
  write();
  line.redraw();
}
