/**
 * Reading one input stream (a file, standard input, an S3 object) into findings,
 * the same way whatever the stream came from, so limits, formats and errors agree.
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FindingParseError } from '../lib/errors';
import { type ParsedFinding, parseFindings } from '../lib/macie-finding';
import { ChunkedLines, type ChunkReader, type ChunkRecords } from './input-chunks';
import { formatBytes, type InputLimits } from './input-limits';
import { boundedBytes, InputError, InputLimitError, type InputLine, linesOf } from './input-lines';
import { scanJson } from './json-positions';

/**
 * One finding read from an input, or why a record could not be read; `Read` is
 * what a {@link ChunkReader} makes of a finding, when one reads the lines.
 */
export interface InputRecord<Read = never> {
  /** `file:line` (or just `file` when the whole file is unreadable). */
  readonly source: string;
  readonly result: ParsedFinding | FindingParseError | Read;
}

export interface ReadHooks<Read = never> {
  /** A file in a directory (or an object under an S3 prefix) that was not read, and why (`reason` is a phrase). */
  readonly onSkip?: (file: string, reason: string) => void;
  /** Bytes read so far of the current file, and its size when known. */
  readonly onProgress?: (file: string, bytesRead: number, size: number | undefined) => void;
  /** Reads inputs of JSON Lines (by their names) instead of this thread, those it `takes`. */
  readonly chunks?: ChunkReader<Read>;
}

/**
 * The bytes of an input: a Node stream, or a file's own reads ({@link FileReads}
 * in read-inputs.ts), which can reuse one buffer when told its reader copies.
 */
export interface ByteStream extends AsyncIterable<Buffer> {
  /** Ends the reading, whether or not all was read. */
  destroy(): void;
  /** Bytes read so far, where the stream counts them (files do). */
  readonly bytesRead?: number;
  /**
   * Told that its reader copies each buffer before it asks for the next: the
   * stream may then read into the same buffer again.
   */
  copiedByReader?(): void;
}

/** Names of findings files: read in a directory or under an S3 prefix; others are skipped. */
export const FINDINGS_FILE = /\.(json|jsonl|ndjson)(\.gz)?$/i;
/** Names that say JSON Lines, so the first line need not decide the format. */
export const LINES_FILE = /\.(jsonl|ndjson)(\.gz)?$/i;
export const NOT_A_FINDINGS_FILE = 'not a .json, .jsonl or .ndjson file (optionally .gz)';
const GZIP_MAGIC = [0x1f, 0x8b];

/** A JSON document being gathered from the lines of an input. */
interface DocumentParts {
  readonly firstLine: number;
  lastLine: number;
  bytes: number;
  readonly parts: string[];
}

/**
 * The findings of one input stream, named `name` in sources (`name:line`), in
 * batches: the records of a read or of a chunk at a time, since passing each
 * record through the readers' async generators on its own cost a large `check`
 * more than the rest of its main thread's work. JSON Lines are read a line at a
 * time, a JSON document up to `limits.maxRecordBytes`, and no more than
 * `limits.maxInputBytes` once decompressed; gzip is recognised by content. A
 * stream that fails is yielded as an error after what was read before, and `raw`
 * is destroyed however the reading ends. No batch is empty.
 */
export async function* readStream<Read = never>(
  name: string,
  raw: ByteStream,
  size: number | undefined,
  linesByName: boolean,
  hooks: ReadHooks<Read>,
  limits: InputLimits,
): AsyncGenerator<Array<InputRecord<Read>>> {
  // fs read streams count what they have read; that is enough for a progress line.
  const progress = (): void => {
    const bytesRead = raw.bytesRead;
    if (bytesRead !== undefined) hooks.onProgress?.(name, bytesRead, size);
  };
  // Until the first non-blank line, the format is open: a line that is a whole
  // JSON value means JSON Lines; otherwise the input is one JSON document.
  let mode: 'undecided' | 'lines' | 'document' = linesByName ? 'lines' : 'undecided';
  let document: DocumentParts | undefined;
  let lastLine = 0;
  const gather = (line: InputLine): void => {
    document ??= { firstLine: line.number, lastLine: line.number - 1, bytes: -1, parts: [] };
    // Blank lines between are not kept as lines: they are line breaks in one part.
    const breaks = line.number - document.lastLine;
    document.bytes += breaks + line.bytes;
    if (document.bytes > limits.maxRecordBytes) {
      throw new InputLimitError(
        `a JSON document longer than ${formatBytes(limits.maxRecordBytes)}; --max-record-bytes raises the limit (or give JSON Lines, read a line at a time)`,
        document.firstLine,
      );
    }
    document.parts.push(`${'\n'.repeat(breaks - 1)}${line.text}`);
    document.lastLine = line.number;
  };

  const chunked =
    linesByName && hooks.chunks?.takes(size)
      ? new ChunkedLines(name, hooks.chunks, limits.maxRecordBytes)
      : undefined;
  /** Set when a chunk's line stopped the reading: the chunks after it are not read. */
  let stopped = false;
  /** The records of a chunk taken back; its stop, if any, is thrown. */
  const taken = function* (chunk: ChunkRecords<Read>): Generator<Array<InputRecord<Read>>> {
    if (chunk.records.length > 0) yield chunk.records;
    if (chunk.lastLine > 0) lastLine = chunk.lastLine;
    if (chunk.stopped) {
      stopped = true;
      throw chunk.stopped;
    }
  };

  /** Records read on this thread and not yet yielded. */
  let batch: Array<InputRecord<Read>> = [];
  try {
    const { bytes: plain, gzipped } = await decompressed(raw);
    const bytes = boundedBytes(plain, limits.maxInputBytes, progress);
    if (chunked) {
      // Chunks copy what they are given; gunzip keeps its input for a while.
      if (!gzipped) raw.copiedByReader?.();
      for await (const chunk of bytes) {
        chunked.add(chunk);
        while (chunked.full()) yield* taken(await chunked.next());
      }
      chunked.end();
      while (chunked.pending > 0) yield* taken(await chunked.next());
    } else {
      for await (const lines of linesOf(bytes, limits.maxRecordBytes)) {
        for (const line of lines) {
          lastLine = line.number;
          if (mode === 'document') {
            gather(line);
            continue;
          }
          let value: unknown;
          try {
            value = JSON.parse(line.text);
          } catch (error) {
            if (mode === 'undecided') {
              mode = 'document';
              gather(line);
              continue;
            }
            batch.push({
              source: `${name}:${line.number}`,
              result: new FindingParseError(`invalid JSON: ${(error as Error).message}`),
            });
            continue;
          }
          mode = 'lines';
          for (const { item } of parseFindings(value)) {
            batch.push({ source: `${name}:${line.number}`, result: item });
          }
        }
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
      }
    }
  } catch (caught) {
    let error = caught;
    // What was read before the failure comes first, as it was read first; a
    // chunk sent before it may stop the reading at an earlier line.
    if (batch.length > 0) yield batch;
    try {
      if (chunked && !stopped) {
        chunked.sendWholeLines();
        while (chunked.pending > 0) yield* taken(await chunked.next());
      }
    } catch (earlier) {
      error = earlier;
    }
    const line = error instanceof InputError ? error.line : lastLine || undefined;
    yield [unreadable(line === undefined ? name : `${name}:${line}`, error)];
    return;
  } finally {
    raw.destroy();
  }
  progress();
  const documentRecords = document ? parseDocument(name, document) : [];
  if (documentRecords.length > 0) yield documentRecords;
  else if (lastLine === 0)
    hooks.onSkip?.(name, 'it holds no findings (empty, or only blank lines)');
}

function parseDocument(name: string, document: DocumentParts): InputRecord[] {
  const text = document.parts.join('\n');
  const lineOf = (line: number): string => `${name}:${line + document.firstLine - 1}`;
  const scan = scanJson(text);
  if (!scan.ok) {
    const { line, column, message } = scan.problem;
    return [
      {
        source: lineOf(line),
        result: new FindingParseError(`invalid JSON: ${message} (column ${column})`),
      },
    ];
  }
  return parseFindings(JSON.parse(text)).map(({ pointer, item }) => ({
    source: lineOf(scan.lineOf(pointer)),
    result: item,
  }));
}

/**
 * The stream's bytes, gunzipped when they start with the gzip magic bytes. The
 * first chunk is taken from the stream's own iterator and handed on in front of
 * the rest, never pushed back into the stream: a stream whose data came in one
 * chunk (a small HTTP body, a pipe) may have ended by then, and what is pushed
 * back after its end is lost.
 */
async function decompressed(
  raw: ByteStream,
): Promise<{ bytes: AsyncIterable<Buffer>; gzipped: boolean }> {
  const chunks: AsyncIterator<Buffer> = raw[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) return { bytes: Readable.from([]), gzipped: false };
  const all = (async function* (): AsyncGenerator<Buffer> {
    yield first.value;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      yield next.value;
    }
  })();
  const head = first.value;
  const gzipped = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  if (!gzipped) return { bytes: all, gzipped };
  // pipeline hands an error of the source on to the gunzip stream, whose reader then sees it.
  return { bytes: pipeline(Readable.from(all), createGunzip(), () => {}), gzipped };
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ELOOP: 'too many levels of symbolic links (a symbolic link loop?)',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  Z_DATA_ERROR: 'corrupt or truncated gzip data',
  Z_BUF_ERROR: 'corrupt or truncated gzip data',
};

/** An input (or a part of one) that could not be read, as an error record naming `source`. */
export function unreadable(source: string, error: unknown): InputRecord<never> {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    (code === undefined ? undefined : REASONS[code]) ?? (error as Error).message ?? String(error);
  return {
    source,
    result: new FindingParseError(`cannot read: ${reason}`, [], { cause: error }),
  };
}
