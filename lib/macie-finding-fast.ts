import type { Finding } from './macie-finding';

/**
 * A fast reading of a finding that is plainly well-formed: the same result as
 * `findingSchema` (lib/macie-finding.ts), field for field and in the same key
 * order, built with one pass over the fields the schema knows. It gives up on
 * anything it is not sure of (a field of the wrong type, a number that is not a
 * safe integer, a key present with `undefined`), and the schema then reads that
 * record and says what is wrong with it, so messages come from one place only.
 *
 * Keep it in step with `findingSchema`: test/unit/lib/macie-finding-fast.test.ts
 * compares the two over well-formed and broken findings.
 */
export function fastFinding(value: unknown): Finding | undefined {
  try {
    return finding(value);
  } catch (error) {
    if (error === UNSURE) return undefined;
    throw error;
  }
}

/** Thrown, once built, wherever the fast reading gives up; never leaves this module. */
const UNSURE = new Error('not plainly a well-formed finding');

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;
type Read<T> = (value: unknown) => T;

function finding(value: unknown): Finding {
  const input = object(value);
  const out: Output = {
    id: nonEmpty(input.id),
    type: nonEmpty(input.type),
    accountId: nonEmpty(input.accountId),
    region: nonEmpty(input.region),
    partition:
      input.partition === undefined ? absent(input, 'partition', 'aws') : text(input.partition),
  };
  nullish(out, input, 'title', text);
  nullish(out, input, 'createdAt', text);
  nullish(out, input, 'updatedAt', text);
  out.archived =
    input.archived === undefined ? absent(input, 'archived', false) : flag(input.archived);
  out.sample = input.sample === undefined ? absent(input, 'sample', false) : flag(input.sample);
  optional(out, input, 'count', count);
  nullish(out, input, 'category', text);
  nullish(out, input, 'severity', severity);
  nullish(out, input, 'classificationDetails', classificationDetails);
  out.resourcesAffected = resourcesAffected(input.resourcesAffected);
  return out as Finding;
}

function severity(value: unknown): Output {
  const input = object(value);
  const out: Output = {};
  optional(out, input, 'score', count);
  nullish(out, input, 'description', text);
  return out;
}

function classificationDetails(value: unknown): Output {
  const input = object(value);
  const out: Output = {};
  nullish(out, input, 'detailedResultsLocation', text);
  nullish(out, input, 'jobArn', text);
  nullish(out, input, 'jobId', text);
  nullish(out, input, 'originType', text);
  nullish(out, input, 'result', classificationResult);
  return out;
}

function classificationResult(value: unknown): Output {
  const input = object(value);
  const out: Output = { sensitiveData: listOrEmpty(input, 'sensitiveData', sensitiveDataItem) };
  nullish(out, input, 'customDataIdentifiers', customDataIdentifiers);
  nullish(out, input, 'mimeType', text);
  nullish(out, input, 'sizeClassified', count);
  nullish(out, input, 'additionalOccurrences', flag);
  nullish(out, input, 'status', status);
  return out;
}

function sensitiveDataItem(value: unknown): Output {
  const input = object(value);
  const out: Output = {
    category: nonEmpty(input.category),
    detections:
      input.detections === undefined
        ? absent(input, 'detections', [])
        : list(input.detections, detection),
  };
  optional(out, input, 'totalCount', count);
  return out;
}

function detection(value: unknown): Output {
  const input = object(value);
  return { type: nonEmpty(input.type), count: count(input.count) };
}

function customDataIdentifiers(value: unknown): Output {
  const input = object(value);
  const out: Output = { detections: listOrEmpty(input, 'detections', customDetection) };
  optional(out, input, 'totalCount', count);
  return out;
}

function customDetection(value: unknown): Output {
  const input = object(value);
  const out: Output = { name: nonEmpty(input.name), count: count(input.count) };
  nullish(out, input, 'arn', text);
  return out;
}

function status(value: unknown): Output {
  const input = object(value);
  const out: Output = { code: text(input.code) };
  nullish(out, input, 'reason', text);
  return out;
}

function resourcesAffected(value: unknown): Output {
  const input = object(value);
  const out: Output = { s3Bucket: s3Bucket(input.s3Bucket) };
  nullish(out, input, 's3Object', s3Object);
  return out;
}

function s3Bucket(value: unknown): Output {
  const input = object(value);
  const out: Output = { name: nonEmpty(input.name) };
  nullish(out, input, 'arn', text);
  nullish(out, input, 'tags', (tags) => list(tags, tag));
  nullish(out, input, 'publicAccess', publicAccess);
  return out;
}

function tag(value: unknown): Output {
  const input = object(value);
  const tagValue = input.value;
  if (tagValue === undefined && 'value' in input) throw UNSURE;
  return {
    key: text(input.key),
    value: tagValue === undefined || tagValue === null ? '' : text(tagValue),
  };
}

function publicAccess(value: unknown): Output {
  const input = object(value);
  const out: Output = {};
  nullish(out, input, 'effectivePermission', text);
  return out;
}

function s3Object(value: unknown): Output {
  const input = object(value);
  const out: Output = {};
  nullish(out, input, 'key', text);
  nullish(out, input, 'path', text);
  nullish(out, input, 'size', count);
  nullish(out, input, 'versionId', text);
  return out;
}

/** A field that may be absent or null: copied when present, left out when absent. */
function nullish(out: Output, input: Input, key: string, read: Read<unknown>): void {
  const value = input[key];
  if (value === undefined) {
    absent(input, key, undefined);
    return;
  }
  out[key] = value === null ? null : read(value);
}

/** A field that may be absent but not null. */
function optional(out: Output, input: Input, key: string, read: Read<unknown>): void {
  const value = input[key];
  if (value === undefined) {
    absent(input, key, undefined);
    return;
  }
  out[key] = read(value);
}

/** A list that may be absent or null, read as empty then. */
function listOrEmpty(input: Input, key: string, read: Read<Output>): Output[] {
  const value = input[key];
  if (value === undefined) return absent(input, key, []);
  return value === null ? [] : list(value, read);
}

/** `fallback` for a key that is truly absent; a key present with `undefined` is left to the schema. */
function absent<T>(input: Input, key: string, fallback: T): T {
  if (Object.hasOwn(input, key)) throw UNSURE;
  return fallback;
}

function object(value: unknown): Input {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw UNSURE;
  return value as Input;
}

function list(value: unknown, read: Read<Output>): Output[] {
  if (!Array.isArray(value)) throw UNSURE;
  const out: Output[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) out[i] = read(value[i]);
  return out;
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw UNSURE;
  return value;
}

function nonEmpty(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw UNSURE;
  return value;
}

function flag(value: unknown): boolean {
  if (typeof value !== 'boolean') throw UNSURE;
  return value;
}

/** A non-negative safe integer, or a string of decimal digits (discovery results). */
function count(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw UNSURE;
    return value;
  }
  if (typeof value !== 'string' || !DIGITS.test(value)) throw UNSURE;
  return Number(value);
}

const DIGITS = /^\d+$/;
