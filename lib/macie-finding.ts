import { FindingParseError } from './errors';
import { fastFinding } from './macie-finding-fast';
import * as z from './zod-mini';

/**
 * Schemas for Amazon Macie findings as they arrive: in an EventBridge event,
 * from `GetFindings` (or `aws macie2 get-findings`), from a console export, or
 * as sensitive data discovery results, where every number is a JSON string.
 * Unknown fields are tolerated and dropped; missing required ones are errors.
 */

/** A non-empty string. */
const nonEmpty = z.string().check(z.minLength(1));

const decimalDigits = z.string().check(z.regex(/^\d+$/, 'expected a non-negative integer'));

/** A non-negative integer, also accepted as a decimal string (discovery results). */
const count = z.union([
  z.number().check(z.int(), z.nonnegative()),
  z.transformed(decimalDigits, (digits) => Number(digits)),
]);

const tag = z.object({
  key: z.string(),
  value: z.transformed(z.nullish(z.string()), (v) => v ?? ''),
});

/** A list that may be absent or `null`, read as empty. */
function listOrEmpty<T extends z.core.SomeType>(item: T) {
  return z.transformed(z.nullish(z.array(item)), (items) => items ?? []);
}

const sensitiveDataItem = z.object({
  category: nonEmpty,
  detections: z._default(z.array(z.object({ type: nonEmpty, count })), []),
  totalCount: z.optional(count),
});

const customDetection = z.object({ name: nonEmpty, count, arn: z.nullish(z.string()) });

const classificationResult = z.object({
  sensitiveData: listOrEmpty(sensitiveDataItem),
  customDataIdentifiers: z.nullish(
    z.object({
      detections: listOrEmpty(customDetection),
      totalCount: z.optional(count),
    }),
  ),
  mimeType: z.nullish(z.string()),
  sizeClassified: z.nullish(count),
  additionalOccurrences: z.nullish(z.boolean()),
  status: z.nullish(z.object({ code: z.string(), reason: z.nullish(z.string()) })),
});

/** A Macie finding, normalised: counts are numbers, `archived`/`sample` default to false. */
export const findingSchema = z.object({
  id: nonEmpty,
  type: nonEmpty,
  accountId: nonEmpty,
  region: nonEmpty,
  partition: z._default(z.string(), 'aws'),
  title: z.nullish(z.string()),
  createdAt: z.nullish(z.string()),
  updatedAt: z.nullish(z.string()),
  archived: z._default(z.boolean(), false),
  sample: z._default(z.boolean(), false),
  count: z.optional(count),
  category: z.nullish(z.string()),
  severity: z.nullish(z.object({ score: z.optional(count), description: z.nullish(z.string()) })),
  classificationDetails: z.nullish(
    z.object({
      detailedResultsLocation: z.nullish(z.string()),
      jobArn: z.nullish(z.string()),
      jobId: z.nullish(z.string()),
      originType: z.nullish(z.string()),
      result: z.nullish(classificationResult),
    }),
  ),
  resourcesAffected: z.object({
    s3Bucket: z.object({
      name: nonEmpty,
      arn: z.nullish(z.string()),
      /** `null` when a Macie quota kept it from reading the bucket's tags. */
      tags: z.nullish(z.array(tag)),
      publicAccess: z.nullish(z.object({ effectivePermission: z.nullish(z.string()) })),
    }),
    s3Object: z.nullish(
      z.object({
        key: z.nullish(z.string()),
        path: z.nullish(z.string()),
        size: z.nullish(count),
        versionId: z.nullish(z.string()),
      }),
    ),
  }),
});

export type Finding = z.infer<typeof findingSchema>;

const envelopeSchema = z.object({
  id: z.optional(z.string()),
  'detail-type': z.string(),
  source: z.string(),
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  time: z.optional(z.string()),
  detail: z.unknown(),
});

export const MACIE_SOURCE = 'aws.macie';
export const MACIE_DETAIL_TYPE = 'Macie Finding';

/** The EventBridge envelope a finding arrived in, when it did. */
export interface Envelope {
  readonly id?: string;
  /** The account whose event bus received it (Macie administrator for member findings). */
  readonly account?: string;
  readonly region?: string;
  readonly time?: string;
}

export interface ParsedFinding {
  readonly finding: Finding;
  readonly envelope?: Envelope;
}

/** Where an item sat inside a parsed JSON value, as a JSON pointer (`/findings/2`). */
export interface Located<T> {
  readonly pointer: string;
  readonly item: T;
}

const MAX_NESTING = 3;

/**
 * Splits a JSON value into the findings it holds: an EventBridge "Macie Finding"
 * event, a bare finding or discovery result, `{"findings": [...]}` as
 * `aws macie2 get-findings` prints it, or an array of any of these. Each item is
 * parsed on its own, so one bad item does not hide the others.
 */
export function parseFindings(value: unknown): Located<ParsedFinding | FindingParseError>[] {
  const out: Located<ParsedFinding | FindingParseError>[] = [];
  const visit = (node: unknown, pointer: string, depth: number): void => {
    if (Array.isArray(node) && depth < MAX_NESTING) {
      node.forEach((element, i) => {
        visit(element, `${pointer}/${i}`, depth + 1);
      });
      return;
    }
    if (isFindingsList(node) && depth < MAX_NESTING) {
      node.findings.forEach((element, i) => {
        visit(element, `${pointer}/findings/${i}`, depth + 1);
      });
      return;
    }
    out.push({ pointer, item: attempt(() => parseFinding(node)) });
  };
  visit(value, '', 0);
  return out;
}

/**
 * Parses one finding, bare or in its EventBridge envelope.
 *
 * @throws FindingParseError naming each missing or malformed field.
 */
export function parseFinding(value: unknown): ParsedFinding {
  if (!isObject(value)) {
    throw new FindingParseError(`expected a Macie finding object, got ${describe(value)}`);
  }
  if ('detail-type' in value || ('source' in value && 'detail' in value)) {
    const envelope = envelopeSchema.safeParse(value);
    if (!envelope.success) {
      throw new FindingParseError('malformed EventBridge event', problemsOf(envelope.error));
    }
    const { source, 'detail-type': detailType, detail, id, account, region, time } = envelope.data;
    if (source !== MACIE_SOURCE || detailType !== MACIE_DETAIL_TYPE) {
      throw new FindingParseError(
        `not a Macie finding event (source "${source}", detail-type "${detailType}"; expected "${MACIE_SOURCE}", "${MACIE_DETAIL_TYPE}")`,
      );
    }
    const finding = readFinding(detail);
    if (!finding.success) {
      throw new FindingParseError('malformed Macie finding', problemsOf(finding.error, 'detail'));
    }
    return { finding: finding.data, envelope: definedOnly({ id, account, region, time }) };
  }
  const finding = readFinding(value);
  if (!finding.success) {
    throw new FindingParseError('malformed Macie finding', problemsOf(finding.error));
  }
  return { finding: finding.data };
}

/**
 * `findingSchema.safeParse`, quicker: a plainly well-formed finding is read by
 * {@link fastFinding} to the same result; any other goes through the schema, whose
 * issues name what is wrong.
 */
function readFinding(value: unknown): ReturnType<typeof findingSchema.safeParse> {
  const data = fastFinding(value);
  return data === undefined ? findingSchema.safeParse(value) : { success: true, data };
}

/** Bucket tags from a finding's `[{key, value}]` list; `undefined` when the finding has none. */
export function tagsOfFinding(finding: Finding): Record<string, string> | undefined {
  const tags = finding.resourcesAffected.s3Bucket.tags;
  if (!tags || tags.length === 0) return undefined;
  return Object.fromEntries(tags.map(({ key, value }) => [key, value]));
}

function attempt<T>(parse: () => T): T | FindingParseError {
  try {
    return parse();
  } catch (error) {
    if (error instanceof FindingParseError) return error;
    return new FindingParseError('unreadable finding', [], { cause: error });
  }
}

function problemsOf(error: z.core.$ZodError, prefix?: string): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
    return `${path || '(root)'}: ${missing ? 'is required' : issue.message}`;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFindingsList(value: unknown): value is { findings: unknown[] } {
  return isObject(value) && Array.isArray(value.findings) && !('id' in value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
