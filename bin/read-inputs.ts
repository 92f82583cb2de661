import { constants, type Dirent, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FindingParseError } from '../lib/errors';
import { type ParsedFinding, parseFindings } from '../lib/macie-finding';
import { DEFAULT_INPUT_LIMITS, formatBytes, type InputLimits } from './input-limits';
import { boundedBytes, InputError, InputLimitError, type InputLine, linesOf } from './input-lines';
import { scanJson } from './json-positions';

/** One finding read from an input, or why a record could not be read. */
export interface InputRecord {
  /** `file:line` (or just `file` when the whole file is unreadable). */
  readonly source: string;
  readonly result: ParsedFinding | FindingParseError;
}

export interface ReadHooks {
  /** A file in a directory that was not read, and why (`reason` is a phrase). */
  readonly onSkip?: (file: string, reason: string) => void;
  /** Bytes read so far of the current file, and its size when known. */
  readonly onProgress?: (file: string, bytesRead: number, size: number | undefined) => void;
}

export const STDIN = '-';
const FINDINGS_FILE = /\.(json|jsonl|ndjson)(\.gz)?$/i;
const LINES_FILE = /\.(jsonl|ndjson)(\.gz)?$/i;
const GZIP_MAGIC = [0x1f, 0x8b];
export const NOT_A_FINDINGS_FILE = 'not a .json, .jsonl or .ndjson file (optionally .gz)';

/**
 * Reads findings from files, directories (recursively, in name order) and
 * standard input (`-`). Every input is streamed: JSON Lines a line at a time, a
 * JSON document up to `limits.maxRecordBytes`, and no input past
 * `limits.maxInputBytes` once decompressed, so memory stays bounded whatever the
 * input. Gzip is recognised by content. Every unreadable record or input is
 * yielded as an error with its file (and line where there is one), and the next
 * input is read: nothing is dropped silently.
 */
export async function* readInputs(
  inputs: readonly string[],
  hooks: ReadHooks = {},
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): AsyncGenerator<InputRecord> {
  for (const input of inputs) {
    if (input === STDIN) {
      yield* readStream('<stdin>', process.stdin, undefined, false, hooks, limits);
      continue;
    }
    let stat: Stats;
    try {
      stat = await fs.stat(input);
    } catch (error) {
      yield unreadable(input, error);
      continue;
    }
    if (!stat.isDirectory()) {
      yield* readFile(input, 'given', hooks, limits);
      continue;
    }
    for await (const file of walk(input, hooks)) {
      if (file instanceof Unreadable) yield unreadable(file.path, file.error);
      else yield* readFile(file, 'listed', hooks, limits);
    }
  }
}

/** A directory entry that could not even be looked at. */
class Unreadable {
  constructor(
    readonly path: string,
    readonly error: unknown,
  ) {}
}

/**
 * The findings files under `dir`, in name order. Anything else is skipped with
 * a reason: other names, FIFOs, sockets and devices (reading them could wait
 * for ever), and symbolic links to directories (they could loop).
 */
async function* walk(dir: string, hooks: ReadHooks): AsyncGenerator<string | Unreadable> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    yield new Unreadable(dir, error);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* walk(full, hooks);
      continue;
    }
    let skip: string | undefined = entry.isFile() ? undefined : notRegular(kindOf(entry));
    if (entry.isSymbolicLink()) {
      try {
        const target = await fs.stat(full);
        skip = target.isDirectory()
          ? 'a symbolic link to a directory, not followed'
          : target.isFile()
            ? undefined
            : notRegular(`a symbolic link to ${kindOf(target)}`);
      } catch (error) {
        yield new Unreadable(full, error);
        continue;
      }
    }
    if (skip !== undefined) hooks.onSkip?.(full, skip);
    else if (FINDINGS_FILE.test(entry.name)) yield full;
    else hooks.onSkip?.(full, NOT_A_FINDINGS_FILE);
  }
}

function notRegular(kind: string): string {
  return `${kind}, not a regular file`;
}

/** What a file that is not a regular file is, for messages. */
function kindOf(stat: Stats | Dirent): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}

/**
 * One file. It is opened without waiting (a FIFO with no writer would block the
 * open for ever) and checked to be a regular file through the open handle, so a
 * file swapped for a FIFO after it was listed is caught too. A non-regular file
 * the user named is an error; one found in a directory is skipped with a note.
 */
async function* readFile(
  file: string,
  how: 'given' | 'listed',
  hooks: ReadHooks,
  limits: InputLimits,
): AsyncGenerator<InputRecord> {
  let handle: fs.FileHandle;
  let stat: Stats;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    yield unreadable(file, error);
    return;
  }
  try {
    stat = await handle.stat();
  } catch (error) {
    await handle.close();
    yield unreadable(file, error);
    return;
  }
  if (!stat.isFile()) {
    await handle.close();
    const kind = kindOf(stat);
    if (how === 'listed') hooks.onSkip?.(file, notRegular(kind));
    else {
      const hint =
        stat.isFIFO() || stat.isSocket()
          ? '; to read a pipe, give - and send it to standard input'
          : '';
      yield unreadable(file, new Error(`${notRegular(kind)}${hint}`));
    }
    return;
  }
  yield* readStream(
    file,
    handle.createReadStream(),
    stat.size,
    LINES_FILE.test(file),
    hooks,
    limits,
  );
}

/** A JSON document being gathered from the lines of an input. */
interface DocumentParts {
  readonly firstLine: number;
  lastLine: number;
  bytes: number;
  readonly parts: string[];
}

async function* readStream(
  name: string,
  raw: Readable,
  size: number | undefined,
  linesByName: boolean,
  hooks: ReadHooks,
  limits: InputLimits,
): AsyncGenerator<InputRecord> {
  // fs read streams count what they have read; that is enough for a progress line.
  const progress = (): void => {
    const bytesRead = (raw as Readable & { bytesRead?: number }).bytesRead;
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

  try {
    const bytes = boundedBytes(await decompressed(raw), limits.maxInputBytes, progress);
    for await (const batch of linesOf(bytes, limits.maxRecordBytes)) {
      for (const line of batch) {
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
          yield {
            source: `${name}:${line.number}`,
            result: new FindingParseError(`invalid JSON: ${(error as Error).message}`),
          };
          continue;
        }
        mode = 'lines';
        for (const { item } of parseFindings(value)) {
          yield { source: `${name}:${line.number}`, result: item };
        }
      }
    }
  } catch (error) {
    const line = error instanceof InputError ? error.line : lastLine || undefined;
    yield unreadable(line === undefined ? name : `${name}:${line}`, error);
    return;
  } finally {
    raw.destroy();
  }
  progress();
  if (document) yield* parseDocument(name, document);
  else if (lastLine === 0)
    hooks.onSkip?.(name, 'it holds no findings (empty, or only blank lines)');
}

function* parseDocument(name: string, document: DocumentParts): Generator<InputRecord> {
  const text = document.parts.join('\n');
  const lineOf = (line: number): string => `${name}:${line + document.firstLine - 1}`;
  const scan = scanJson(text);
  if (!scan.ok) {
    const { line, column, message } = scan.problem;
    yield {
      source: lineOf(line),
      result: new FindingParseError(`invalid JSON: ${message} (column ${column})`),
    };
    return;
  }
  for (const { pointer, item } of parseFindings(JSON.parse(text))) {
    yield { source: lineOf(scan.lineOf(pointer)), result: item };
  }
}

/** The stream itself, or its gunzipped content when it starts with the gzip magic bytes. */
async function decompressed(raw: Readable): Promise<AsyncIterable<Buffer>> {
  const first = await firstBytes(raw);
  // No bytes means the stream has already ended: iterating it would wait for an 'end' it missed.
  if (first.length === 0) return Readable.from([]);
  raw.unshift(first);
  const gzipped = first.length >= 2 && first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
  if (!gzipped) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

function firstBytes(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (chunk: Buffer): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      resolve(chunk);
    };
    const onReadable = (): void => {
      const chunk = stream.read() as Buffer | null;
      if (chunk !== null) done(chunk);
    };
    const onEnd = (): void => done(Buffer.alloc(0));
    const onError = (error: Error): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      reject(error);
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
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

function unreadable(source: string, error: unknown): InputRecord {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    (code === undefined ? undefined : REASONS[code]) ?? (error as Error).message ?? String(error);
  return {
    source,
    result: new FindingParseError(`cannot read: ${reason}`, [], { cause: error }),
  };
}
