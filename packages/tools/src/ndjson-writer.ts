import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { ToolsError } from './errors.js';

/** Lines per output file before the writer starts the next one (bulk exports split large types). */
export const DEFAULT_LINES_PER_FILE = 100_000;
/** Bytes buffered before a write to the stream, so that millions of records cost few syscalls. */
const FLUSH_THRESHOLD_BYTES = 1 << 20;

export interface WrittenFile {
  type: string;
  file: string;
  count: number;
}

/**
 * Writes one resource type as NDJSON files `<Type>.000.ndjson`, `<Type>.001.ndjson`, … with at most
 * `linesPerFile` lines each, streaming with back-pressure so memory stays flat whatever the size.
 */
export class RotatingNdjsonWriter {
  private stream: WriteStream | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private linesInFile = 0;
  private fileIndex = -1;
  private readonly written: WrittenFile[] = [];
  private total = 0;

  constructor(
    private readonly dir: string,
    readonly type: string,
    private readonly linesPerFile = DEFAULT_LINES_PER_FILE,
  ) {}

  get count(): number {
    return this.total;
  }

  /** Adds one resource; resolves once the buffer is handed to the stream (waiting for drain if needed). */
  async write(resource: object): Promise<void> {
    if (this.stream === undefined || this.linesInFile >= this.linesPerFile) await this.rotate();
    const line = `${JSON.stringify(resource)}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.linesInFile++;
    this.total++;
    const current = this.written[this.written.length - 1];
    if (current !== undefined) current.count++;
    if (this.pendingBytes >= FLUSH_THRESHOLD_BYTES) await this.flush();
  }

  /** Flushes and closes the current file; returns every file written with its line count. */
  async close(): Promise<WrittenFile[]> {
    await this.closeCurrent();
    return this.written;
  }

  private async flush(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined || this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (!stream.write(chunk)) await once(stream, 'drain');
  }

  private async rotate(): Promise<void> {
    await this.closeCurrent();
    this.fileIndex++;
    const file = `${this.type}.${String(this.fileIndex).padStart(3, '0')}.ndjson`;
    this.stream = createWriteStream(join(this.dir, file));
    this.stream.on('error', () => {
      // Reported by the awaited `finish`/`drain` below; a listener keeps it from being an uncaught error.
    });
    this.linesInFile = 0;
    this.written.push({ type: this.type, file, count: 0 });
  }

  private async closeCurrent(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined) return;
    await this.flush();
    this.stream = undefined;
    try {
      stream.end();
      await once(stream, 'finish');
    } catch (cause) {
      throw new ToolsError('io', `could not write ${this.type} NDJSON in ${this.dir}`, { cause });
    }
  }
}
