import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
} from 'node:fs';
import * as path from 'node:path';
import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import {
  formatBytes,
  type InputLimits,
  MAX_INPUT_BYTES_VARIABLE,
  MAX_RECORD_BYTES_VARIABLE,
} from './input-limits';
import {
  isBucketName,
  splitJsonDocuments,
  type TagsByBucket,
  TagsShapeError,
  tagsOfDocuments,
  tagsOfTagSet,
} from './tags-file-shapes';
import { UsageError } from './usage-error';

export type { TagsByBucket } from './tags-file-shapes';

/** How a line for stderr is handed over (resources left out of a get-resources output). */
export type TagsNote = (line: string) => void;

/**
 * Reads `--tags PATH`, recognising what it holds by its content:
 * - a file `{ "<bucket>": { "<key>": "<value>" } }`;
 * - a file with the output of `aws resourcegroupstaggingapi get-resources`, or
 *   several such outputs one after the other (regions, pages); resources that
 *   are not S3 buckets are left out and counted in a note;
 * - a directory of `aws s3api get-bucket-tagging` outputs, one `<bucket>.json`
 *   per bucket.
 *
 * These tags are laid over the ones a finding carries (discovery results and
 * many exports carry none). Each file must be a regular file of at most
 * `limits.maxRecordBytes`; a directory's files together at most
 * `limits.maxInputBytes`.
 *
 * @throws UsageError naming the file and what in it does not fit.
 */
export function loadTagsFile(file: string, limits: InputLimits, note: TagsNote): TagsByBucket {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch (error) {
    throw cannotRead(file, error);
  }
  return isDirectory ? loadTagSetDirectory(file, limits) : loadOneFile(file, limits, note);
}

function loadOneFile(file: string, limits: InputLimits, note: TagsNote): TagsByBucket {
  const documents = parseDocuments(file, readOrFail(file, limits.maxRecordBytes));
  try {
    const { tags, skipped } = tagsOfDocuments(documents);
    if (skipped.length > 0) {
      const example = inert(skipped[0] ?? '', MAX_MESSAGE);
      note(
        `--tags ${inert(file, MAX_MESSAGE)}: left out ${skipped.length} resource(s) that are not ` +
          `S3 buckets (e.g. ${example}); --resource-type-filters s3 lists only buckets\n`,
      );
    }
    return tags;
  } catch (error) {
    if (error instanceof TagsShapeError) throw new UsageError(`--tags ${file}: ${error.message}`);
    throw error;
  }
}

/** One JSON document, or several concatenated ones; a text that is neither is invalid JSON. */
function parseDocuments(file: string, text: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch (error) {
    const pieces = splitJsonDocuments(text);
    if (pieces === undefined || pieces.length < 2) {
      throw new UsageError(`--tags ${file}: invalid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return pieces.map((piece, i) => {
      try {
        return JSON.parse(piece);
      } catch (inner) {
        throw new UsageError(
          `--tags ${file}: document ${i + 1}: invalid JSON: ${(inner as Error).message}`,
          { cause: inner },
        );
      }
    });
  }
}

/** `<bucket>.json` files, each a `get-bucket-tagging` output. */
function loadTagSetDirectory(directory: string, limits: InputLimits): TagsByBucket {
  let names: string[];
  try {
    names = readdirSync(directory).sort();
  } catch (error) {
    throw cannotRead(directory, error);
  }
  if (names.length === 0) {
    throw new UsageError(
      `--tags ${directory}: the directory is empty; it should hold one <bucket>.json per bucket, ` +
        'each the output of `aws s3api get-bucket-tagging --bucket <bucket>`',
    );
  }
  const tags = new Map<string, Readonly<Record<string, string>>>();
  let total = 0;
  for (const name of names) {
    const file = path.join(directory, name);
    const bucket = name.endsWith('.json') ? name.slice(0, -'.json'.length) : undefined;
    if (bucket === undefined || !isBucketName(bucket)) {
      throw new UsageError(
        `--tags ${file}: ${bucket === undefined ? 'not a .json file' : `"${bucket}" is not an S3 bucket name`}; ` +
          'each file in a --tags directory is <bucket>.json, the output of ' +
          '`aws s3api get-bucket-tagging --bucket <bucket>` (a bucket name has 3 to 63 ' +
          'lower-case letters, digits, dots and hyphens)',
      );
    }
    const text = readOrFail(file, limits.maxRecordBytes);
    total += Buffer.byteLength(text, 'utf8');
    if (total > limits.maxInputBytes) {
      throw new UsageError(
        `--tags ${directory}: its files hold more than ${formatBytes(limits.maxInputBytes)}; ` +
          `--max-input-bytes (or ${MAX_INPUT_BYTES_VARIABLE}) raises the limit`,
      );
    }
    if (text.trim() === '') {
      throw new UsageError(
        `--tags ${file}: the file is empty: get-bucket-tagging prints nothing when the bucket ` +
          'has no tags (NoSuchTagSet) or the call failed; write {"TagSet": []} for a bucket ' +
          'without tags, or remove the file',
      );
    }
    try {
      tags.set(bucket, tagsOfTagSet(parseDocuments(file, text)[0]));
    } catch (error) {
      if (error instanceof TagsShapeError) throw new UsageError(`--tags ${file}: ${error.message}`);
      throw error;
    }
  }
  return tags;
}

class TagsFileError extends Error {}

function readOrFail(file: string, maxBytes: number): string {
  try {
    return readBounded(file, maxBytes);
  } catch (error) {
    throw cannotRead(file, error);
  }
}

function cannotRead(file: string, error: unknown): UsageError {
  const reason =
    error instanceof TagsFileError
      ? error.message
      : `cannot read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`;
  return new UsageError(`--tags ${file}: ${reason}`, { cause: error });
}

/**
 * The text of a regular file of at most `maxBytes`. Opened without waiting, so a
 * FIFO fails at once instead of blocking, and read no further than the limit,
 * so `/dev/zero` or a file still growing cannot exhaust memory.
 */
function readBounded(file: string, maxBytes: number): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new TagsFileError('not a regular file');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(maxBytes + 1 - total, 1024 * 1024));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxBytes) {
        throw new TagsFileError(
          `larger than ${formatBytes(maxBytes)}; --max-record-bytes (or ${MAX_RECORD_BYTES_VARIABLE}) raises the limit`,
        );
      }
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
