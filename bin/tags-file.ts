import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { z } from 'zod';
import {
  DEFAULT_INPUT_LIMITS,
  formatBytes,
  type InputLimits,
  MAX_RECORD_BYTES_VARIABLE,
} from './input-limits';
import { UsageError } from './usage-error';

/** Bucket name -> tags, from `--tags FILE`. */
export type TagsByBucket = ReadonlyMap<string, Readonly<Record<string, string>>>;

const tagsFileSchema = z.record(
  z.string().min(1),
  z.record(z.string().min(1), z.string(), 'expected an object of tag key -> string value'),
  'expected an object of bucket name -> { tag key: value }',
);

/**
 * Reads a tags file: `{ "<bucket>": { "<key>": "<value>" } }`. These tags are
 * laid over the ones a finding carries (discovery results and many exports
 * carry none). The file must be a regular file of at most
 * `limits.maxRecordBytes`.
 */
export function loadTagsFile(
  file: string,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): TagsByBucket {
  let raw: unknown;
  try {
    raw = JSON.parse(readBounded(file, limits.maxRecordBytes));
  } catch (error) {
    const reason =
      error instanceof SyntaxError
        ? `invalid JSON: ${error.message}`
        : error instanceof TagsFileError
          ? error.message
          : `cannot read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`;
    throw new UsageError(`--tags ${file}: ${reason}`, { cause: error });
  }
  // JSON.parse keeps a "__proto__" key as an own key; the schema would drop it unseen.
  const protoAt = protoKeyPath(raw);
  if (protoAt !== undefined) {
    throw new UsageError(`--tags ${file}: ${protoAt}: the key __proto__ is not allowed`);
  }
  const parsed = tagsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
    );
    throw new UsageError(`--tags ${file}: ${problems.join('; ')}`);
  }
  return new Map(Object.entries(parsed.data));
}

class TagsFileError extends Error {}

/** Where a `__proto__` key stands (`__proto__` or `<bucket>.__proto__`), if anywhere. */
function protoKeyPath(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  if (Object.hasOwn(raw, '__proto__')) return '__proto__';
  for (const [bucket, tags] of Object.entries(raw)) {
    if (tags !== null && typeof tags === 'object' && Object.hasOwn(tags, '__proto__')) {
      return `${bucket}.__proto__`;
    }
  }
  return undefined;
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
