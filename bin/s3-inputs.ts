/**
 * Inputs named `s3://BUCKET/PREFIX`: Macie's sensitive data discovery results (or
 * any findings files) read straight from S3, each object streamed through the same
 * reader as a local file, so formats, limits and errors agree.
 */
import type { Readable } from 'node:stream';
import {
  KEYS_PER_PAGE,
  type ObjectSource,
  type ObjectSummary,
  S3ObjectSource,
} from '../lib/s3-object-source';
import type { InputLimits } from './input-limits';
import {
  FINDINGS_FILE,
  type InputRecord,
  LINES_FILE,
  NOT_A_FINDINGS_FILE,
  type ReadHooks,
  readStream,
  unreadable,
} from './input-stream';
import { UsageError } from './usage-error';

export const S3_SCHEME = 's3://';

/** Objects opened at once when nothing else is asked for. */
export const DEFAULT_S3_CONCURRENCY = 4;

export interface S3ReadOptions {
  /**
   * The most objects open at once (default {@link DEFAULT_S3_CONCURRENCY}): the next
   * ones are requested while one is read, and read in key order.
   */
  readonly concurrency?: number;
  /** Where objects come from; by default S3, through clients the SDK's way. */
  readonly objects?: ObjectSource;
  /** Keys asked for per listing page (default and most: 1000). */
  readonly pageSize?: number;
}

/** More would only hold more connections: objects are read one at a time anyway. */
export const MAX_S3_CONCURRENCY = 64;

/**
 * `--concurrency N`: a whole number from 1 to {@link MAX_S3_CONCURRENCY}.
 *
 * @throws UsageError naming the option when it is not.
 */
export function parseConcurrency(value: string): number {
  const number = /^\d{1,3}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!(number >= 1 && number <= MAX_S3_CONCURRENCY)) {
    throw new UsageError(
      `--concurrency must be a whole number from 1 to ${MAX_S3_CONCURRENCY}; got "${value}"`,
    );
  }
  return number;
}

export function isS3Url(input: string): boolean {
  return input.startsWith(S3_SCHEME);
}

export interface S3Location {
  readonly bucket: string;
  /** `''` for the whole bucket. */
  readonly key: string;
}

/**
 * Letters, digits, dots, hyphens and (in old us-east-1 buckets) underscores, as
 * S3 allows in bucket names; anything else is a mistyped URL.
 */
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;

/** `s3://bucket/key` split into its parts, or `undefined` when it names no bucket. */
export function parseS3Url(input: string): S3Location | undefined {
  if (!isS3Url(input)) return undefined;
  const rest = input.slice(S3_SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  return BUCKET_NAME.test(bucket) ? { bucket, key } : undefined;
}

const BAD_URL = 'not an S3 URL: give s3://BUCKET, s3://BUCKET/PREFIX/ or s3://BUCKET/KEY';

/**
 * What S3 refuses, with what the caller needs to be allowed, since AWS's own
 * message does not say which permission (or that the key's policy counts too).
 */
const GET_HINTS: Record<string, string> = {
  AccessDenied:
    's3:GetObject on the object is needed, and kms:Decrypt on its KMS key when it is encrypted with one',
  InvalidObjectState: 'the object is archived; restore it first',
  PermanentRedirect: 'the bucket is in another region: set AWS_REGION to it',
};

const HINTS: Record<S3Operation, Record<string, string>> = {
  list: {
    AccessDenied: 's3:ListBucket on the bucket is needed',
    NoSuchBucket: 'check the bucket name',
    PermanentRedirect: 'the bucket is in another region: set AWS_REGION to it',
  },
  get: GET_HINTS,
  // A key S3 would not list, read as an object and refused again. Without
  // s3:ListBucket, S3 answers AccessDenied for a key that does not exist too.
  unlisted: {
    ...GET_HINTS,
    AccessDenied:
      'the key could not be listed either: s3:ListBucket on the bucket is needed to read the objects under a prefix, or s3:GetObject on the object (and kms:Decrypt on its KMS key, if it has one) to read one object',
  },
};

/** What was asked of S3: a listing, an object, or an object named by a key S3 would not list. */
type S3Operation = 'list' | 'get' | 'unlisted';

/** An S3 error as `Name: message (hint)`, never with a stack. */
function s3Problem(error: unknown, operation: S3Operation): Error {
  const { name, message } = error as Partial<Error>;
  if (message === 'Region is missing') {
    return new Error(
      "no AWS region is set: set AWS_REGION (any region will do: S3 answers with the bucket's own)",
      { cause: error },
    );
  }
  const hint = name === undefined ? undefined : HINTS[operation][name];
  const named = name !== undefined && name !== 'Error';
  const said =
    message && named && message !== name ? `${name}: ${message}` : message || name || String(error);
  return new Error(hint ? `${said} (${hint})` : said, { cause: error });
}

/**
 * The findings under `s3://bucket/prefix/`, a whole bucket, or one object. A key
 * that names an object reads that object whatever its name (as a file given by
 * name); otherwise it is a folder: the objects under `key/` are listed page by page
 * and the findings files among them read in key order, the others skipped through
 * `hooks.onSkip`. At most `concurrency` objects are open at once; the next are
 * requested while one is read, so waiting on S3 overlaps reading. A listing or an
 * object that cannot be read is yielded as an error naming it, and the next one is
 * read.
 */
export async function* readS3Input<Read = never>(
  input: string,
  hooks: ReadHooks<Read>,
  limits: InputLimits,
  objects: ObjectSource,
  options: S3ReadOptions = {},
): AsyncGenerator<Array<InputRecord<Read>>> {
  const location = parseS3Url(input);
  if (location === undefined) {
    yield [unreadable(input, new Error(BAD_URL))];
    return;
  }
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_S3_CONCURRENCY);
  const listed = listObjects(
    objects,
    location,
    Math.min(options.pageSize ?? KEYS_PER_PAGE, KEYS_PER_PAGE),
  );
  for await (const { entry, body } of opened(listed, concurrency, (key, signal) =>
    objects.open(location.bucket, key, signal),
  )) {
    const name = `${S3_SCHEME}${location.bucket}/${entry.key}`;
    if (entry.kind === 'error') yield [unreadable(entry.key === '' ? input : name, entry.error)];
    else if (entry.kind === 'skip') hooks.onSkip?.(entry.key === '' ? input : name, entry.reason);
    else if (body instanceof Error) {
      // A key read without a listing may be a prefix: the refused listing says why.
      yield [
        entry.unlisted
          ? unreadable(input, s3Problem(body, 'unlisted'))
          : unreadable(name, s3Problem(body, 'get')),
      ];
    } else if (body) {
      yield* readStream(name, body, entry.size, LINES_FILE.test(entry.key), hooks, limits);
    }
  }
}

/** What a listing gives, in key order: an object to read, one to skip, or a failure. */
type Listed =
  | ({ readonly kind: 'read'; readonly unlisted?: true } & ObjectSummary)
  | { readonly kind: 'skip'; readonly key: string; readonly reason: string }
  | { readonly kind: 'error'; readonly key: string; readonly error: Error };

async function* listObjects(
  objects: ObjectSource,
  { bucket, key }: S3Location,
  pageSize: number,
): AsyncGenerator<Listed> {
  let prefix = key;
  if (key !== '' && !key.endsWith('/')) {
    // A key that names an object comes first among the keys it prefixes.
    let first: ObjectSummary | undefined;
    try {
      first = (await objects.page(bucket, key, { maxKeys: 1 })).objects[0];
    } catch (error) {
      if ((error as Partial<Error>).name === 'AccessDenied') {
        // Who may read an object need not be allowed to list the bucket: try the key as one.
        yield { kind: 'read', key, size: undefined, unlisted: true };
      } else {
        yield { kind: 'error', key, error: s3Problem(error, 'list') };
      }
      return;
    }
    if (first?.key === key) {
      yield { kind: 'read', ...first };
      return;
    }
    prefix = `${key}/`;
  }
  let token: string | undefined;
  let listedAny = false;
  do {
    let page: Awaited<ReturnType<ObjectSource['page']>>;
    try {
      page = await objects.page(bucket, prefix, {
        maxKeys: pageSize,
        ...(token === undefined ? {} : { token }),
      });
    } catch (error) {
      yield { kind: 'error', key: prefix, error: s3Problem(error, 'list') };
      return;
    }
    for (const object of page.objects) {
      listedAny = true;
      // A key ending in / is a folder the console made: nothing to read, like a directory.
      if (object.key.endsWith('/')) continue;
      if (FINDINGS_FILE.test(object.key)) yield { kind: 'read', ...object };
      else yield { kind: 'skip', key: object.key, reason: NOT_A_FINDINGS_FILE };
    }
    token = page.next;
  } while (token);
  if (!listedAny) {
    const reason =
      prefix === '' ? 'the bucket holds no objects' : 'no objects under this prefix (is it right?)';
    yield { kind: 'skip', key: prefix, reason };
  }
}

/** A listed entry, with its content when it is an object to read. */
interface Opened {
  readonly entry: Listed;
  /** The object's content, or why it could not be opened; absent for skips and errors. */
  readonly body?: Readable | Error;
}

/**
 * The entries in their order, each object opened ahead of its turn so that at
 * most `concurrency` objects are open at once: the one being read and those
 * waiting. The caller reads (or drops) each body before asking for the next entry.
 * Stopping early closes what was opened ahead.
 */
async function* opened(
  entries: AsyncIterable<Listed>,
  concurrency: number,
  open: (key: string, signal: AbortSignal) => Promise<Readable>,
): AsyncGenerator<Opened> {
  const abort = new AbortController();
  const ahead: Array<{ entry: Listed; body?: Promise<Readable | Error> }> = [];
  const iterator = entries[Symbol.asyncIterator]();
  let listed = false;
  let current: Readable | Error | undefined;
  try {
    for (;;) {
      while (!listed && ahead.length < concurrency) {
        const next = await iterator.next();
        if (next.done) listed = true;
        else if (next.value.kind !== 'read') ahead.push({ entry: next.value });
        else {
          const body = open(next.value.key, abort.signal).then(
            (stream) => {
              // Kept by the stream (see ready): an error while it waits must not end the process.
              stream.on('error', () => {});
              return stream;
            },
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          );
          ahead.push({ entry: next.value, body });
        }
      }
      const head = ahead.shift();
      if (head === undefined) return;
      current = head.body && ready(await head.body);
      yield current === undefined ? { entry: head.entry } : { entry: head.entry, body: current };
      // Whatever the caller did with it, a body is closed before the next is opened.
      if (current && !(current instanceof Error)) current.destroy();
      current = undefined;
    }
  } finally {
    if (current && !(current instanceof Error)) current.destroy();
    abort.abort();
    for (const { body } of ahead) {
      void body?.then((stream) => {
        if (!(stream instanceof Error)) stream.destroy();
      });
    }
    await iterator.return?.();
  }
}

/**
 * The body, or why it can no longer be read: one opened ahead may have failed (a
 * connection reset) while it waited, and a failed stream never says so again.
 */
function ready(body: Readable | Error): Readable | Error {
  if (body instanceof Error) return body;
  if (body.errored) return body.errored;
  if (body.destroyed) return new Error('the connection closed before the object was read');
  return body;
}

/** The S3 source `readInputs` uses when none is given: built when first needed. */
export function lazyObjectSource(given: ObjectSource | undefined): {
  get(): ObjectSource;
  close(): void;
} {
  let built: ObjectSource | undefined;
  return {
    get() {
      built ??= given ?? new S3ObjectSource();
      return built;
    },
    close() {
      // A source the caller gave is the caller's to close.
      if (given === undefined) built?.close();
    },
  };
}
