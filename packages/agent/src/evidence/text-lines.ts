/** A line of text: its bytes (without `\n`), where it starts, and whether `\n` ended it. */
export interface OffsetLine {
  bytes: Buffer;
  offset: number;
  /** Its number, from 1 (a projection's header line). */
  number: number;
  terminated: boolean;
}

/** The lines of the chunks with their byte offsets. `bytes` may be a view of a chunk: use it at once. */
export async function* offsetLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<OffsetLine> {
  let parts: Buffer[] = [];
  let held = 0;
  let offset = 0;
  let number = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, newline);
      const bytes = parts.length === 0 ? piece : Buffer.concat([...parts, piece]);
      parts = [];
      held = 0;
      number += 1;
      yield { bytes, offset, number, terminated: true };
      offset += bytes.length + 1;
      start = newline + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      // A copy: the stream may reuse the chunk's memory.
      parts.push(Buffer.from(rest));
      held += rest.length;
    }
  }
  if (held > 0) {
    number += 1;
    yield { bytes: Buffer.concat(parts), offset, number, terminated: false };
  }
}
/** Lines of UTF-8 text from chunks, split on the bytes (a long line is decoded once, not re-copied per chunk). */
export async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  for await (const line of offsetLines(chunks)) yield line.bytes.toString('utf8');
}
