/**
 * An input of JSON Lines cut into raw chunks of whole lines for a
 * {@link ChunkReader} (worker threads) to split, parse and judge: this thread
 * only gathers bytes, finds the last line break of each chunk and counts the
 * line breaks, so that each chunk goes with the number of its first line.
 */

import { type InputError, lineTooLong, NEWLINE } from './input-lines';
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

/**
 * The chunks of one input handed to a {@link ChunkReader}, and their records
 * taken back in order. Bytes are copied as they are added into the memory of
 * the chunk being filled, so the caller may reuse its buffer for its next read.
 */
export class ChunkedLines<Read> {
  /** The chunk being filled: whole lines, then a line not yet whole. */
  private memory: SharedArrayBuffer | undefined;
  private filled = 0;
  /** Bytes filled after their last line break: a line not yet whole. */
  private tailBytes = 0;
  /** The number of the first line being filled. */
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
   * Takes (copies) the next bytes of the input; a chunk's worth of whole lines is sent.
   *
   * @throws InputLimitError naming the line when a line grows longer than the
   *   limit (the whole lines before it are sent first).
   */
  add(bytes: Buffer): void {
    // Whole lines filled go first when the bytes would not fit beside them.
    const memory = this.memory;
    if (memory && this.filled + bytes.length > memory.byteLength && this.filled > this.tailBytes) {
      this.send(false);
    }
    const last = bytes.lastIndexOf(NEWLINE);
    this.tailBytes = last === -1 ? this.tailBytes + bytes.length : bytes.length - last - 1;
    bytes.copy(Buffer.from(this.room(this.filled + bytes.length)), this.filled);
    this.filled += bytes.length;
    if (this.tailBytes > this.maxLineBytes) {
      this.send(false);
      throw lineTooLong(this.maxLineBytes, this.firstLine);
    }
    if (this.filled - this.tailBytes >= this.reader.chunkBytes) this.send(false);
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
    // Read and answered: no thread looks at its bytes again.
    this.release(oldest.memory);
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

  /** Sends what is filled up to its last line break (or all of it, at the end). */
  private send(all: boolean): void {
    const whole = this.filled - (all ? 0 : this.tailBytes);
    const memory = this.memory;
    if (whole === 0 || !memory) return;
    // The line not yet whole starts the next chunk.
    this.memory = undefined;
    this.filled = 0;
    const tail = Buffer.from(memory, whole, this.tailBytes);
    if (!all && tail.length > 0) {
      tail.copy(Buffer.from(this.room(tail.length)));
      this.filled = tail.length;
    }
    // Shared, so another thread reads it without a copy while this one keeps it.
    const chunk = Buffer.from(memory, 0, whole);
    const { breaks, longest } = measureLines(chunk);
    const firstLine = this.firstLine;
    this.firstLine += breaks;
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

  /**
   * The memory being filled, with room for `bytes` in all: a line longer than
   * the pooled size moves to memory of twice the size it needs.
   */
  private room(bytes: number): SharedArrayBuffer {
    if (this.memory && this.memory.byteLength >= bytes) return this.memory;
    const grown = this.memoryFor(bytes);
    if (this.memory) {
      Buffer.from(this.memory, 0, this.filled).copy(Buffer.from(grown));
      this.release(this.memory);
    }
    this.memory = grown;
    return grown;
  }

  /** Memory for `bytes`: a free one large enough, or a new one. */
  private memoryFor(bytes: number): SharedArrayBuffer {
    const at = this.free.findIndex((memory) => memory.byteLength >= bytes);
    if (at !== -1) return this.free.splice(at, 1)[0] as SharedArrayBuffer;
    return new SharedArrayBuffer(bytes <= this.pooledBytes ? this.pooledBytes : 2 * bytes);
  }

  /** Memory no longer used, kept for later chunks unless it was made for a long line. */
  private release(memory: SharedArrayBuffer): void {
    if (memory.byteLength <= this.pooledBytes) this.free.push(memory);
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
