/**
 * An input of JSON Lines cut into raw chunks of whole lines for a
 * {@link ChunkReader} (worker threads) to split, parse and judge: this thread
 * only gathers bytes, finds the last line break of each chunk and counts the
 * line breaks, so that each chunk goes with the number of its first line.
 */

import { type InputError, lineTooLong } from './input-lines';
import type { InputRecord } from './input-stream';

/** What a {@link ChunkReader} makes of a chunk. */
export interface ChunkRecords<Read> {
  /** In the order of the chunk's lines. */
  readonly records: Array<InputRecord<Read>>;
  /** The number of the chunk's last line that is not blank; 0 when none is. */
  readonly lastLine: number;
  /** A line that could not be read: the records are those of the lines before it. */
  readonly stopped?: InputError;
}

/** Whole lines of the input `name`, the first numbered `firstLine`. */
export interface RawChunk {
  readonly name: string;
  /** Shared memory, which a worker thread sees without a copy; not written after. */
  readonly bytes: Buffer;
  readonly firstLine: number;
  /** Bytes of its longest line, without the line break. */
  readonly longestLine: number;
  /** The limit on a line: a longer one stops the reading. */
  readonly maxLineBytes: number;
}

/** Reads chunks of JSON Lines elsewhere (in worker threads). */
export interface ChunkReader<Read> {
  /** Asked once per input of JSON Lines, with its size when known: true when its chunks go to `read`. */
  takes(size: number | undefined): boolean;
  /** The records of the chunk's lines. */
  read(chunk: RawChunk): Promise<ChunkRecords<Read>>;
  /** Bytes of a chunk, about: chunks end at a line break. */
  readonly chunkBytes: number;
  /** Chunks handed over and not yet taken back, at most: memory stays bounded. */
  readonly chunksInFlight: number;
}

const NEWLINE = 10;

/** The chunks of one input handed to a {@link ChunkReader}, and their records taken back in order. */
export class ChunkedLines<Read> {
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Bytes of `parts` after their last line break: a line not yet whole. */
  private tailBytes = 0;
  /** The number of the first line in `parts`. */
  private firstLine = 1;
  private readonly inFlight: Array<{
    readonly records: Promise<ChunkRecords<Read>>;
    readonly memory: SharedArrayBuffer;
  }> = [];
  /**
   * Memory of chunks whose records were taken back, for the next chunks: fresh
   * memory costs a page fault per 4 KiB at its first write, which made copying
   * into new chunks take as long as reading the input.
   */
  private readonly free: SharedArrayBuffer[] = [];

  constructor(
    private readonly name: string,
    private readonly reader: ChunkReader<Read>,
    private readonly maxLineBytes: number,
  ) {}

  /**
   * Takes the next bytes of the input; a chunk's worth of whole lines is sent.
   *
   * @throws InputLimitError naming the line when a line grows longer than the
   *   limit (the whole lines before it are sent first).
   */
  add(bytes: Buffer): void {
    const last = bytes.lastIndexOf(NEWLINE);
    this.tailBytes = last === -1 ? this.tailBytes + bytes.length : bytes.length - last - 1;
    this.parts.push(bytes);
    this.partsBytes += bytes.length;
    if (this.tailBytes > this.maxLineBytes) {
      this.send(false);
      throw lineTooLong(this.maxLineBytes, this.firstLine);
    }
    if (this.partsBytes - this.tailBytes >= this.reader.chunkBytes) this.send(false);
  }

  /** Enough chunks in flight: the reading waits for the oldest. */
  full(): boolean {
    return this.inFlight.length > 0 && this.inFlight.length >= this.reader.chunksInFlight;
  }

  /** The records of the oldest chunk in flight. */
  async next(): Promise<ChunkRecords<Read>> {
    const oldest = this.inFlight.shift();
    if (!oldest) return { records: [], lastLine: 0 };
    const records = await oldest.records;
    // Read and answered: no thread looks at its bytes again. Memory made for a
    // long line is let go rather than kept for the rest of the input.
    if (oldest.memory.byteLength <= this.pooledBytes) this.free.push(oldest.memory);
    return records;
  }

  /** Sends the rest: the input has ended, its last line may lack a line break. */
  end(): void {
    this.send(true);
  }

  /** Sends the whole lines gathered: the reading failed after them. */
  sendWholeLines(): void {
    this.send(false);
  }

  /** Chunks in flight. */
  get pending(): number {
    return this.inFlight.length;
  }

  /** Sends what is gathered up to its last line break (or all of it, at the end). */
  private send(all: boolean): void {
    const whole = this.partsBytes - (all ? 0 : this.tailBytes);
    if (whole === 0) return;
    // Shared, so another thread reads it without a copy while this one keeps it.
    const memory = this.memoryFor(whole);
    const chunk = Buffer.from(memory, 0, whole);
    let offset = 0;
    const rest: Buffer[] = [];
    for (const part of this.parts) {
      const taken = Math.min(part.length, whole - offset);
      if (taken > 0) part.copy(chunk, offset, 0, taken);
      if (taken < part.length) rest.push(part.subarray(taken));
      offset += taken;
    }
    const { breaks, longest } = measureLines(chunk);
    const firstLine = this.firstLine;
    this.firstLine += breaks;
    this.parts = rest;
    this.partsBytes -= whole;
    const records = this.reader.read({
      name: this.name,
      bytes: chunk,
      firstLine,
      longestLine: longest,
      maxLineBytes: this.maxLineBytes,
    });
    // Awaited in turn; until then a failure must not count as unhandled.
    records.catch(() => {});
    this.inFlight.push({ records, memory });
  }

  /** Memory for a chunk of `bytes`: a free one large enough, or a new one. */
  private memoryFor(bytes: number): SharedArrayBuffer {
    const at = this.free.findIndex((memory) => memory.byteLength >= bytes);
    if (at !== -1) return this.free.splice(at, 1)[0] as SharedArrayBuffer;
    return new SharedArrayBuffer(Math.max(bytes, this.pooledBytes));
  }

  /** Room for a chunk and a read more, which most chunks fit: the size of pooled memory. */
  private get pooledBytes(): number {
    return 2 * this.reader.chunkBytes;
  }
}

/** The line breaks in `bytes` and the bytes of its longest line (its line break left out). */
function measureLines(bytes: Buffer): { breaks: number; longest: number } {
  let breaks = 0;
  let longest = 0;
  let start = 0;
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, start)) {
    breaks++;
    longest = Math.max(longest, at - start);
    start = at + 1;
  }
  return { breaks, longest: Math.max(longest, bytes.length - start) };
}
