import { formatBytes } from './input-limits';

/** A line of an input that is not blank. */
export interface InputLine {
  /** 1-based, counting blank lines too. */
  readonly number: number;
  /** Without its line break (`\n` or `\r\n`). */
  readonly text: string;
  /** Bytes of the line without its line break. */
  readonly bytes: number;
}

/** An input that cannot be read on; `line` says where, when a line is to blame. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** An input goes past one of the limits. */
export class InputLimitError extends InputError {
  override readonly name = 'InputLimitError';
}

/** A line that is not UTF-8 text. */
export class InputEncodingError extends InputError {
  override readonly name = 'InputEncodingError';
}

/**
 * Decodes UTF-8 strictly: bytes that are not UTF-8 (a UTF-16 or Latin-1 export)
 * are an error rather than quietly replaced, which would change a bucket's name.
 * A byte order mark at the start of a line is skipped.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

const NEWLINE = 10;

/**
 * The chunks of an input, stopped with an {@link InputLimitError} once more than
 * `maxBytes` have come: a gzip bomb or `/dev/zero` ends there.
 */
export async function* boundedBytes(
  chunks: AsyncIterable<Buffer>,
  maxBytes: number,
  onChunk: () => void = () => {},
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > maxBytes) {
      throw new InputLimitError(
        `more than ${formatBytes(maxBytes)} to read (after decompression); --max-input-bytes raises the limit`,
      );
    }
    onChunk();
    yield chunk;
  }
}

/**
 * Splits bytes into lines, one batch per chunk, so a file of millions of lines
 * costs one step per chunk rather than per line. Blank lines are counted but not
 * kept, and no line is held longer than `maxLineBytes`: memory stays bounded
 * whatever the input.
 *
 * @throws InputLimitError with the line's number when a line is longer.
 * @throws InputEncodingError with the line's number when a line is not UTF-8.
 */
export async function* linesOf(
  chunks: AsyncIterable<Buffer>,
  maxLineBytes: number,
): AsyncGenerator<InputLine[]> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  const tooLong = (): InputLimitError =>
    new InputLimitError(
      `line longer than ${formatBytes(maxLineBytes)}; --max-record-bytes raises the limit`,
      number + 1,
    );
  const finish = (piece: Buffer, batch: InputLine[]): void => {
    const bytes = pendingBytes + piece.length;
    if (bytes > maxLineBytes) throw tooLong();
    number++;
    const whole = pending.length === 0 ? piece : Buffer.concat([...pending, piece], bytes);
    pending = [];
    pendingBytes = 0;
    let text: string;
    try {
      text = UTF8.decode(whole);
    } catch {
      throw new InputEncodingError(
        'not UTF-8 text (a UTF-16 or Latin-1 export?); save it as UTF-8',
        number,
      );
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() !== '') batch.push({ number, text, bytes });
  };

  for await (const chunk of chunks) {
    const batch: InputLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      if (pendingBytes === 0 && chunk[start] === NEWLINE) {
        // A run of empty lines: counted here without a call per line.
        number++;
        start++;
        continue;
      }
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) break;
      finish(chunk.subarray(start, end), batch);
      start = end + 1;
    }
    if (start < chunk.length) {
      if (pendingBytes + chunk.length - start > maxLineBytes) throw tooLong();
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
    }
    if (batch.length > 0) yield batch;
  }
  if (pendingBytes > 0) {
    const batch: InputLine[] = [];
    finish(Buffer.alloc(0), batch);
    if (batch.length > 0) yield batch;
  }
}
