import { z } from 'zod';

/**
 * The shapes a `--tags` input may take, recognised by their content, and how each
 * becomes bucket name -> tags. Pure: the caller reads the files.
 */

/** Bucket name -> tags. */
export type TagsByBucket = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** What a `--tags` input may be, in the words of an error message. */
export const ACCEPTED_SHAPES =
  'a tags file is {"<bucket>": {"<key>": "<value>"}}, or the output of ' +
  '`aws resourcegroupstaggingapi get-resources` ({"ResourceTagMappingList": [...]}); ' +
  '--tags also takes a directory of `aws s3api get-bucket-tagging` outputs ' +
  '({"TagSet": [...]}), one <bucket>.json per bucket';

/** A tags input that does not fit; the message names the path inside the JSON (`(root)`, `a.b.0`). */
export class TagsShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TagsShapeError';
  }
}

/** What a file of several concatenated documents, or one document, makes. */
export interface ParsedTags {
  readonly tags: TagsByBucket;
  /** Resources of a get-resources output that are not S3 buckets, left out. */
  readonly skipped: readonly string[];
}

const tagMapSchema = z.record(
  z.string().min(1),
  z.record(z.string().min(1), z.string(), 'expected an object of tag key -> string value'),
  'expected an object of bucket name -> { tag key: value }',
);

const tagPairs = z.array(
  z.object({ Key: z.string().min(1), Value: z.string() }),
  'expected a list of {"Key": ..., "Value": ...}',
);

const getResourcesSchema = z.object({
  ResourceTagMappingList: z.array(
    z.object({ ResourceARN: z.string().min(1), Tags: tagPairs.default([]) }),
    'expected a list of {"ResourceARN": ..., "Tags": [...]}',
  ),
  PaginationToken: z.string().nullish(),
  /** The AWS CLI's own token, printed when `--max-items` cut the output short. */
  NextToken: z.string().nullish(),
});

const tagSetSchema = z.object({ TagSet: tagPairs });

/** `arn:<partition>:s3:::<bucket>`: a bucket's ARN has no region, account or `/`. */
const BUCKET_ARN = /^arn:[a-z0-9-]+:s3:::([^/]+)$/;

/**
 * Bucket tags from the documents of one file: one `{"<bucket>": {...}}` map, or
 * one or more `get-resources` outputs (concatenated, as a loop over regions or
 * over `--no-paginate` pages writes them).
 *
 * @throws TagsShapeError naming the document and path that does not fit.
 */
export function tagsOfDocuments(documents: readonly unknown[]): ParsedTags {
  const [first] = documents;
  if (documents.length === 1) {
    if (isObject(first) && Object.hasOwn(first, 'ResourceTagMappingList')) {
      return tagsOfResourceMappings(documents);
    }
    if (isObject(first) && Object.hasOwn(first, 'TagSet')) {
      throw new TagsShapeError(
        'this is an `aws s3api get-bucket-tagging` output, which names no bucket: ' +
          'save it as <bucket>.json in a directory and give --tags the directory',
      );
    }
    return { tags: tagsOfMap(first), skipped: [] };
  }
  const other = documents.findIndex(
    (document) => !(isObject(document) && Object.hasOwn(document, 'ResourceTagMappingList')),
  );
  if (other >= 0) {
    throw new TagsShapeError(
      `holds ${documents.length} JSON documents, and document ${other + 1} is not an ` +
        '`aws resourcegroupstaggingapi get-resources` output: only those may be concatenated; ' +
        ACCEPTED_SHAPES,
    );
  }
  return tagsOfResourceMappings(documents);
}

/** The tags of one `get-bucket-tagging` output (`{"TagSet": [...]}`). */
export function tagsOfTagSet(document: unknown): Readonly<Record<string, string>> {
  const parsed = tagSetSchema.safeParse(document);
  if (!parsed.success) {
    throw new TagsShapeError(
      `not the output of \`aws s3api get-bucket-tagging\` ({"TagSet": [{"Key": ..., "Value": ...}]}): ${firstProblem(parsed.error)}`,
    );
  }
  return tagRecord(parsed.data.TagSet, 'TagSet');
}

/** The existing map shape; any misfit lists every accepted shape. */
function tagsOfMap(document: unknown): TagsByBucket {
  // JSON.parse keeps a "__proto__" key as an own key; the schema would drop it unseen.
  const protoAt = protoKeyPath(document);
  if (protoAt !== undefined) {
    throw new TagsShapeError(`${protoAt}: the key __proto__ is not allowed`);
  }
  const parsed = tagMapSchema.safeParse(document);
  if (!parsed.success) {
    throw new TagsShapeError(`${firstProblem(parsed.error)}; ${ACCEPTED_SHAPES}`);
  }
  return new Map(Object.entries(parsed.data));
}

function tagsOfResourceMappings(documents: readonly unknown[]): ParsedTags {
  const tags = new Map<string, Readonly<Record<string, string>>>();
  const seenAt = new Map<string, string>();
  const skipped: string[] = [];
  const several = documents.length > 1;
  documents.forEach((document, d) => {
    const where = (path: string) => (several ? `document ${d + 1}: ${path}` : path);
    const parsed = getResourcesSchema.safeParse(document);
    if (!parsed.success) {
      throw new TagsShapeError(
        `${several ? `document ${d + 1}: ` : ''}${firstProblem(parsed.error)} ` +
          '(read as an `aws resourcegroupstaggingapi get-resources` output)',
      );
    }
    parsed.data.ResourceTagMappingList.forEach((mapping, i) => {
      const path = where(`ResourceTagMappingList.${i}`);
      const bucket = BUCKET_ARN.exec(mapping.ResourceARN)?.[1];
      if (bucket === undefined) {
        skipped.push(mapping.ResourceARN);
        return;
      }
      if (bucket === '__proto__') {
        throw new TagsShapeError(`${path}.ResourceARN: the bucket name __proto__ is not allowed`);
      }
      const record = tagRecord(mapping.Tags, `${path}.Tags`);
      const before = seenAt.get(bucket);
      // Outputs of several regions may each list a bucket; the same tags twice agree.
      if (before !== undefined && !sameTags(tags.get(bucket) ?? {}, record)) {
        throw new TagsShapeError(
          `${path}: bucket ${bucket} is listed twice with different tags (first at ${before})`,
        );
      }
      if (before === undefined) seenAt.set(bucket, path);
      tags.set(bucket, record);
    });
  });
  const last = getResourcesSchema.parse(documents[documents.length - 1]);
  const more = last.NextToken ? 'NextToken' : last.PaginationToken ? 'PaginationToken' : undefined;
  if (more !== undefined) {
    throw new TagsShapeError(
      `${several ? `document ${documents.length}: ` : ''}${more} is set, so more resources ` +
        'remain to be read: let the AWS CLI read every page (leave out --no-paginate and ' +
        '--max-items), or append the following pages to the file',
    );
  }
  return { tags, skipped };
}

/** `[{Key, Value}]` as a record; a key twice or `__proto__` is an error naming its path. */
function tagRecord(
  pairs: readonly { Key: string; Value: string }[],
  path: string,
): Readonly<Record<string, string>> {
  const record: Record<string, string> = {};
  pairs.forEach(({ Key, Value }, i) => {
    if (Key === '__proto__') {
      throw new TagsShapeError(`${path}.${i}.Key: the key __proto__ is not allowed`);
    }
    if (Object.hasOwn(record, Key)) {
      throw new TagsShapeError(`${path}.${i}.Key: the tag ${Key} is given twice`);
    }
    record[Key] = Value;
  });
  return record;
}

function sameTags(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

function firstProblem(error: z.ZodError): string {
  const [issue] = error.issues;
  const where = issue?.path.map(String).join('.') || '(root)';
  const more = error.issues.length - 1;
  return `${where}: ${issue?.message ?? 'does not fit'}${more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : ''}`;
}

/** Where a `__proto__` key stands (`__proto__` or `<bucket>.__proto__`), if anywhere. */
function protoKeyPath(raw: unknown): string | undefined {
  if (!isObject(raw)) return undefined;
  if (Object.hasOwn(raw, '__proto__')) return '__proto__';
  for (const [bucket, tags] of Object.entries(raw)) {
    if (isObject(tags) && Object.hasOwn(tags, '__proto__')) return `${bucket}.__proto__`;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * Whether `name` follows the naming rules of a general purpose S3 bucket: 3 to
 * 63 lower-case letters, digits, dots and hyphens, starting and ending with a
 * letter or digit, no two dots in a row, not an IP address, and none of the
 * prefixes and suffixes S3 reserves.
 */
export function isBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(name) &&
    !RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix)) &&
    !RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix))
  );
}

/**
 * Splits concatenated JSON documents (`{...}{...}` or one per line), each an
 * object or array, into their texts; `undefined` when the text is not such a
 * sequence. Strings are skipped whole, so braces inside them do not count.
 */
export function splitJsonDocuments(text: string): string[] | undefined {
  const documents: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (depth === 0) {
      if (' \t\n\r\uFEFF'.includes(char)) continue;
      if (char !== '{' && char !== '[') return undefined;
      start = i;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) documents.push(text.slice(start, i + 1));
    }
  }
  return depth === 0 && !inString ? documents : undefined;
}
