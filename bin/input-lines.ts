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

/** The byte of a line break in UTF-8 (and every encoding JSON Lines may use). */
export const NEWLINE = 10;

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

/** The error for line `number`, longer than `maxLineBytes`. */
export function lineTooLong(maxLineBytes: number, number: number): InputLimitError {
  return new InputLimitError(
    `line longer than ${formatBytes(maxLineBytes)}; --max-record-bytes raises the limit`,
    number,
  );
}

/**
 * Line `number` from its bytes (without the `\n`): undefined when it is blank.
 *
 * @throws InputEncodingError with the line's number when it is not UTF-8.
 */
function decodeLine(bytes: Uint8Array, number: number): InputLine | undefined {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new InputEncodingError(
      'not UTF-8 text (a UTF-16 or Latin-1 export?); save it as UTF-8',
      number,
    );
  }
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return text.trim() === '' ? undefined : { number, text, bytes: bytes.length };
}

/**
 * The lines of `chunk`, which holds whole lines (the last one may lack its `\n`
 * at the end of an input), the first of them numbered `firstNumber`: each line
 * that is not blank is handed to `onLine`, in order. Every reading of lines
 * (the serial one, {@link linesOf}, and worker threads given raw chunks) splits
 * and checks them here, so limits, errors and line numbers agree.
 *
 * @returns the number of lines in `chunk`, blank ones too.
 * @throws InputLimitError with the line's number when a line is longer than `maxLineBytes`.
 * @throws InputEncodingError with the line's number when a line is not UTF-8.
 */
export function splitLines(
  chunk: Buffer,
  firstNumber: number,
  maxLineBytes: number,
  onLine: (line: InputLine) => void,
): number {
  let number = firstNumber - 1;
  let start = 0;
  while (start < chunk.length) {
    number++;
    if (chunk[start] === NEWLINE) {
      // A run of empty lines: counted here without a call per line.
      start++;
      continue;
    }
    let end = chunk.indexOf(NEWLINE, start);
    if (end === -1) end = chunk.length;
    if (end - start > maxLineBytes) throw lineTooLong(maxLineBytes, number);
    const line = decodeLine(chunk.subarray(start, end), number);
    if (line !== undefined) onLine(line);
    start = end + 1;
  }
  return number - firstNumber + 1;
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
  /** Lines finished so far, blank ones too. */
  let number = 0;
  const finishPending = (piece: Buffer, batch: InputLine[]): void => {
    const whole = Buffer.concat([...pending, piece], pendingBytes + piece.length);
    pending = [];
    pendingBytes = 0;
    number += splitLines(whole, number + 1, maxLineBytes, (line) => batch.push(line));
  };

  for await (const chunk of chunks) {
    const batch: InputLine[] = [];
    try {
      let start = 0;
      if (pendingBytes > 0) {
        const end = chunk.indexOf(NEWLINE);
        if (end === -1) {
          // The pending line goes on through the whole chunk.
          if (pendingBytes + chunk.length > maxLineBytes)
            throw lineTooLong(maxLineBytes, number + 1);
          pending.push(chunk);
          pendingBytes += chunk.length;
          continue;
        }
        finishPending(chunk.subarray(0, end), batch);
        start = end + 1;
      }
      const last = chunk.lastIndexOf(NEWLINE);
      if (last >= start) {
        const whole = chunk.subarray(start, last + 1);
        number += splitLines(whole, number + 1, maxLineBytes, (line) => batch.push(line));
        start = last + 1;
      }
      if (start < chunk.length) {
        if (chunk.length - start > maxLineBytes) throw lineTooLong(maxLineBytes, number + 1);
        pending.push(chunk.subarray(start));
        pendingBytes = chunk.length - start;
      }
    } catch (error) {
      // The lines before the one to blame are read, wherever the chunk ends.
      if (batch.length > 0) yield batch;
      throw error;
    }
    if (batch.length > 0) yield batch;
  }
  if (pendingBytes > 0) {
    const batch: InputLine[] = [];
    finishPending(Buffer.alloc(0), batch);
    if (batch.length > 0) yield batch;
  }
}
