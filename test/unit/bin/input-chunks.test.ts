import { ChunkedLines, type ChunkReader, type RawChunk } from '../../../bin/input-chunks';

/** A reader that keeps a copy of every chunk and the memory each was sent in. */
function recordingReader(chunkBytes: number, chunksInFlight = 2) {
  const copies: string[] = [];
  const memories = new Set<ArrayBufferLike>();
  const firstLines: number[] = [];
  const reader: ChunkReader<never> = {
    chunkBytes,
    chunksInFlight,
    takes: () => true,
    read: async (chunk: RawChunk) => {
      copies.push(chunk.bytes.toString('utf8'));
      memories.add(chunk.bytes.buffer);
      firstLines.push(chunk.firstLine);
      return { records: [], lastLine: 0 };
    },
  };
  return { reader, copies, memories, firstLines };
}

/** Adds `text` in reads of `readBytes`, taking chunks back whenever enough are in flight. */
async function feed(lines: ChunkedLines<never>, text: string, readBytes: number): Promise<void> {
  const bytes = Buffer.from(text);
  // One buffer for every read, as a file read for worker threads uses.
  const read = Buffer.alloc(readBytes);
  for (let at = 0; at < bytes.length; at += readBytes) {
    const length = bytes.copy(read, 0, at, Math.min(at + readBytes, bytes.length));
    lines.add(read.subarray(0, length));
    while (lines.full()) await lines.next();
  }
  lines.end();
  while (lines.pending > 0) await lines.next();
}

/** `count` lines of 20 to 119 bytes each, numbered. */
function numberedLines(count: number): string {
  return Array.from(
    { length: count },
    (_, i) => `line ${i + 1} ${'x'.repeat((i * 37) % 100)}\n`,
  ).join('');
}

describe('ChunkedLines', () => {
  it('copies what it is given, so the caller may reuse its buffer for the next read', async () => {
    const { reader, copies } = recordingReader(1024);
    const text = numberedLines(500);
    await feed(new ChunkedLines('in.jsonl', reader, 64 * 1024), text, 700);
    expect(copies.join('')).toBe(text);
    for (const chunk of copies) expect(chunk.endsWith('\n')).toBe(true);
  });

  it('numbers the first line of each chunk', async () => {
    const { reader, copies, firstLines } = recordingReader(1024);
    await feed(new ChunkedLines('in.jsonl', reader, 64 * 1024), numberedLines(300), 512);
    expect(copies.length).toBeGreaterThan(5);
    copies.forEach((chunk, i) => {
      expect(chunk.startsWith(`line ${firstLines[i]} `)).toBe(true);
    });
  });

  it('sends its chunks in the same few pieces of memory however long the input', async () => {
    // Reads as long as a chunk, so a read never fits beside a chunk's worth of lines
    // and a line left over: the lines filled go first rather than into new memory.
    const { reader, copies, memories } = recordingReader(1024, 2);
    const text = numberedLines(3000);
    await feed(new ChunkedLines('in.jsonl', reader, 64 * 1024), text, 1024);
    expect(copies.join('')).toBe(text);
    expect(copies.length).toBeGreaterThan(150);
    // Two in flight, one being filled, and one for the line left over.
    expect(memories.size).toBeLessThanOrEqual(4);
    for (const memory of memories) expect(memory.byteLength).toBe(2048);
  });

  it('makes memory for a line longer than its pool, and does not keep it', async () => {
    const { reader, copies, memories } = recordingReader(1024, 2);
    const long = `long ${'y'.repeat(10_000)}\n`;
    const text = `${numberedLines(100)}${long}${numberedLines(400)}`;
    await feed(new ChunkedLines('in.jsonl', reader, 64 * 1024), text, 1000);
    expect(copies.join('')).toBe(text);
    expect(copies.some((chunk) => chunk.includes(long))).toBe(true);
    const sizes = [...memories].map((memory) => memory.byteLength);
    expect(sizes.filter((size) => size > 2048)).toHaveLength(1);
    expect(sizes.filter((size) => size === 2048).length).toBeLessThanOrEqual(4);
  });

  it('stops at a line longer than the limit, after sending the whole lines before it', async () => {
    const { reader, copies } = recordingReader(1024, 2);
    const before = numberedLines(3);
    const lines = new ChunkedLines('in.jsonl', reader, 100);
    expect(() => lines.add(Buffer.from(`${before}${'z'.repeat(101)}`))).toThrow(
      /line longer than 100 bytes/,
    );
    while (lines.pending > 0) await lines.next();
    expect(copies).toEqual([before]);
  });
});
