import { constants, type Dirent, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from './input-limits';
import {
  type ByteStream,
  FINDINGS_FILE,
  type InputRecord,
  LINES_FILE,
  NOT_A_FINDINGS_FILE,
  type ReadHooks,
  readStream,
  unreadable,
} from './input-stream';
import { isS3Url, lazyObjectSource, readS3Input, type S3ReadOptions } from './s3-inputs';

export type { InputRecord, ReadHooks } from './input-stream';

export const STDIN = '-';

/**
 * Bytes of each read of a file. Node's default for streams (64 KiB) costs about
 * three times the CPU of reads of 1 MiB over a large input (0.46 s against 0.17 s
 * for 158 MB, measured), which a large `check` spends on the thread that also
 * orders and writes the results.
 */
export const FILE_READ_BYTES = 1024 * 1024;

/**
 * Reads findings from files, directories (recursively, in name order), S3
 * (`s3://bucket/prefix/`, in key order; see `readS3Input`) and standard input
 * (`-`). Every input is streamed: JSON Lines a line at a time, a
 * JSON document up to `limits.maxRecordBytes`, and no input past
 * `limits.maxInputBytes` once decompressed, so memory stays bounded whatever the
 * input. Gzip is recognised by content. Every unreadable record or input is
 * yielded as an error with its file (and line where there is one), and the next
 * input is read: nothing is dropped silently.
 */
export async function* readInputs<Read = never>(
  inputs: readonly string[],
  hooks: ReadHooks<Read> = {},
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
  s3: S3ReadOptions = {},
): AsyncGenerator<InputRecord<Read>> {
  for await (const batch of readInputBatches(inputs, hooks, limits, s3)) yield* batch;
}

/**
 * {@link readInputs} in batches (never empty) of the records of a read or of
 * a chunk of an input: what a large run passes from reader to reader, record
 * by record, costs more than a batch.
 */
export async function* readInputBatches<Read = never>(
  inputs: readonly string[],
  hooks: ReadHooks<Read> = {},
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
  s3: S3ReadOptions = {},
): AsyncGenerator<Array<InputRecord<Read>>> {
  const objects = lazyObjectSource(s3.objects);
  try {
    for (const input of inputs) {
      if (isS3Url(input)) yield* readS3Input(input, hooks, limits, objects.get(), s3);
      else yield* readLocal(input, hooks, limits);
    }
  } finally {
    objects.close();
  }
}

/** A file, a directory or standard input. */
async function* readLocal<Read>(
  input: string,
  hooks: ReadHooks<Read>,
  limits: InputLimits,
): AsyncGenerator<Array<InputRecord<Read>>> {
  if (input === STDIN) {
    yield* readStream('<stdin>', process.stdin, undefined, false, hooks, limits);
    return;
  }
  let stat: Stats;
  try {
    stat = await fs.stat(input);
  } catch (error) {
    yield [unreadable(input, error)];
    return;
  }
  if (!stat.isDirectory()) {
    yield* readFile(input, 'given', hooks, limits);
    return;
  }
  for await (const file of walk(input, hooks)) {
    if (file instanceof Unreadable) yield [unreadable(file.path, file.error)];
    else yield* readFile(file, 'listed', hooks, limits);
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
async function* walk(
  dir: string,
  hooks: Pick<ReadHooks, 'onSkip'>,
): AsyncGenerator<string | Unreadable> {
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
async function* readFile<Read>(
  file: string,
  how: 'given' | 'listed',
  hooks: ReadHooks<Read>,
  limits: InputLimits,
): AsyncGenerator<Array<InputRecord<Read>>> {
  let handle: fs.FileHandle;
  let stat: Stats;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    yield [unreadable(file, error)];
    return;
  }
  try {
    stat = await handle.stat();
  } catch (error) {
    await handle.close();
    yield [unreadable(file, error)];
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
      yield [unreadable(file, new Error(`${notRegular(kind)}${hint}`))];
    }
    return;
  }
  yield* readStream(file, new FileReads(handle), stat.size, LINES_FILE.test(file), hooks, limits);
}

/**
 * A file's bytes, read {@link FILE_READ_BYTES} at a time. Each read gets a
 * new buffer, as a Node stream's do, until the reader says it copies each
 * before asking for the next (chunks for worker threads do): from then on one
 * buffer serves every read. Fresh buffers for every read of a large input,
 * freed only when the main thread collects its garbage, made the peak memory of
 * a large `check` grow with its input.
 */
class FileReads implements ByteStream {
  bytesRead = 0;
  private reused: Buffer | undefined;
  private reuse = false;
  private closed = false;

  constructor(private readonly handle: fs.FileHandle) {}

  copiedByReader(): void {
    this.reuse = true;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        if (this.reuse) this.reused ??= Buffer.allocUnsafeSlow(FILE_READ_BYTES);
        const buffer = this.reused ?? Buffer.allocUnsafeSlow(FILE_READ_BYTES);
        const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) return;
        this.bytesRead += bytesRead;
        // A short read (a small file, the end of one) kept apart holds no more than it needs.
        yield this.reuse || bytesRead === buffer.length
          ? buffer.subarray(0, bytesRead)
          : Buffer.from(buffer.subarray(0, bytesRead));
      }
    } finally {
      this.destroy();
    }
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close().catch(() => {});
  }
}
