/** Lines of UTF-8 text from chunks, split on the bytes (a long line is decoded once, not re-copied per chunk). */
export async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  for await (const chunk of chunks) {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, newline);
      if (parts.length === 0) yield piece.toString('utf8');
      else {
        parts.push(piece);
        yield Buffer.concat(parts).toString('utf8');
        parts = [];
      }
      start = newline + 1;
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
  }
  if (parts.length > 0) yield Buffer.concat(parts).toString('utf8');
}
