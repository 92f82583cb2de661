import { createReadStream, type Dirent, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FindingParseError } from '../lib/errors';
import { type ParsedFinding, parseFindings } from '../lib/macie-finding';
import { scanJson } from './json-positions';

/** One finding read from an input, or why a record could not be read. */
export interface InputRecord {
  /** `file:line` (or just `file` when the whole file is unreadable). */
  readonly source: string;
  readonly result: ParsedFinding | FindingParseError;
}

export interface ReadHooks {
  /** A file in a directory that is not a findings file, and was not read. */
  readonly onSkip?: (file: string) => void;
  /** Bytes read so far of the current file, and its size when known. */
  readonly onProgress?: (file: string, bytesRead: number, size: number | undefined) => void;
}

export const STDIN = '-';
const FINDINGS_FILE = /\.(json|jsonl|ndjson)(\.gz)?$/i;
const LINES_FILE = /\.(jsonl|ndjson)(\.gz)?$/i;
const GZIP_MAGIC = [0x1f, 0x8b];
const PROGRESS_EVERY_LINES = 1000;

/**
 * Reads findings from files, directories (recursively, in name order) and
 * standard input (`-`). JSON Lines are streamed a line at a time, so memory does
 * not grow with the file; other JSON files are read whole. Gzip is recognised
 * by content. Every unreadable record is yielded as an error with its file and
 * line: nothing is dropped silently.
 */
export async function* readInputs(
  inputs: readonly string[],
  hooks: ReadHooks = {},
): AsyncGenerator<InputRecord> {
  for (const input of inputs) {
    if (input === STDIN) {
      yield* readStream('<stdin>', process.stdin, undefined, false, hooks);
      continue;
    }
    let files: string[];
    try {
      files = await expand(input, hooks);
    } catch (error) {
      yield unreadable(input, error);
      continue;
    }
    for (const file of files) {
      let size: number | undefined;
      try {
        size = (await fs.stat(file)).size;
      } catch (error) {
        yield unreadable(file, error);
        continue;
      }
      yield* readStream(file, createReadStream(file), size, LINES_FILE.test(file), hooks);
    }
  }
}

async function expand(input: string, hooks: ReadHooks): Promise<string[]> {
  const stat = await fs.stat(input);
  if (!stat.isDirectory()) return [input];
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries: Dirent[] = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (FINDINGS_FILE.test(entry.name)) files.push(full);
      else hooks.onSkip?.(full);
    }
  };
  await walk(input);
  return files;
}

async function* readStream(
  name: string,
  raw: Readable,
  size: number | undefined,
  linesByName: boolean,
  hooks: ReadHooks,
): AsyncGenerator<InputRecord> {
  // fs read streams count what they have read; that is enough for a progress line.
  const progress = (): void => {
    const bytesRead = (raw as Readable & { bytesRead?: number }).bytesRead;
    if (bytesRead !== undefined) hooks.onProgress?.(name, bytesRead, size);
  };
  let failure: unknown;
  let stream: Readable;
  try {
    stream = await decompressed(raw);
  } catch (error) {
    yield unreadable(name, error);
    return;
  }
  stream.on('error', (error) => {
    failure = error;
  });

  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  // Until the first non-blank line, the format is open: a line that is a whole
  // JSON value means JSON Lines; otherwise the input is one JSON document.
  let mode: 'undecided' | 'lines' | 'document' = linesByName ? 'lines' : 'undecided';
  const document: string[] = [];
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (lineNumber % PROGRESS_EVERY_LINES === 0) progress();
      if (mode === 'document') {
        document.push(line);
        continue;
      }
      if (line.trim() === '') {
        if (mode === 'undecided') document.push(line);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        if (mode === 'undecided') {
          mode = 'document';
          document.push(line);
          continue;
        }
        yield {
          source: `${name}:${lineNumber}`,
          result: new FindingParseError(`invalid JSON: ${(error as Error).message}`),
        };
        continue;
      }
      mode = 'lines';
      for (const { item } of parseFindings(value)) {
        yield { source: `${name}:${lineNumber}`, result: item };
      }
    }
  } catch (error) {
    failure = error;
  }
  if (failure !== undefined) {
    yield unreadable(lineNumber > 0 ? `${name}:${lineNumber}` : name, failure);
    return;
  }
  progress();
  if (mode === 'document') yield* parseDocument(name, document.join('\n'));
}

function* parseDocument(name: string, text: string): Generator<InputRecord> {
  const scan = scanJson(text);
  if (!scan.ok) {
    const { line, column, message } = scan.problem;
    yield {
      source: `${name}:${line}`,
      result: new FindingParseError(`invalid JSON: ${message} (column ${column})`),
    };
    return;
  }
  for (const { pointer, item } of parseFindings(JSON.parse(text))) {
    yield { source: `${name}:${scan.lineOf(pointer)}`, result: item };
  }
}

/** The stream itself, or its gunzipped content when it starts with the gzip magic bytes. */
async function decompressed(raw: Readable): Promise<Readable> {
  const first = await firstBytes(raw);
  // No bytes means the stream has already ended: readline would wait for an 'end' it missed.
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

function unreadable(source: string, error: unknown): InputRecord {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file or directory'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR'
          ? 'corrupt or truncated gzip data'
          : ((error as Error).message ?? String(error));
  return {
    source,
    result: new FindingParseError(`cannot read: ${reason}`, [], { cause: error }),
  };
}
