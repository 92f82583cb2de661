import { patternLimitProblem } from '../policies/data-file-limits';
import { wildcardMatcher } from '../policies/wildcard';

/**
 * Buckets central security exempts from declaring a classification (log and
 * artifact buckets, for example), named by patterns where `*` stands for any run
 * of characters: `*-access-logs`, `cdk-*-assets-*`. The Config rule takes them as
 * its parameter `exemptBuckets`, the `tags` command as `--exempt`, in the same
 * form: patterns separated by commas.
 */
export interface BucketExemptions {
  /** The patterns as given, in order. */
  readonly patterns: readonly string[];
  /** The first pattern that names `bucket`, or `undefined` when none does. */
  readonly exemptionOf: (bucket: string) => string | undefined;
}

/** How much of a pattern a message quotes. */
const MAX_SHOWN = 64;

/** What S3 allows in a bucket name, plus `*`. */
const PATTERN_CHARACTERS = /^[a-z0-9.*-]+$/;

export const NO_EXEMPTIONS: BucketExemptions = { patterns: [], exemptionOf: () => undefined };

/** A list of exemption patterns that cannot be used; the message names the pattern. */
export class ExemptionPatternError extends Error {
  override readonly name = 'ExemptionPatternError';
}

/**
 * Reads comma-separated bucket name patterns. Blank entries are ignored; an
 * empty or absent text exempts nothing. Bucket names are lower case, so a
 * pattern is matched in lower case.
 *
 * @param setting names where the text came from, for the error.
 * @throws ExemptionPatternError naming the first pattern that holds characters
 *   no bucket name has, or passes the length and `*` limits of any pattern.
 * @example
 * ```ts
 * parseExemptions('*-access-logs, cdk-*-assets-*', 'exemptBuckets').exemptionOf('web-access-logs');
 * // '*-access-logs'
 * ```
 */
export function parseExemptions(text: string | undefined, setting: string): BucketExemptions {
  const patterns = (text ?? '')
    .split(',')
    .map((pattern) => pattern.trim().toLowerCase())
    .filter((pattern) => pattern !== '');
  if (patterns.length === 0) return NO_EXEMPTIONS;
  for (const pattern of patterns) {
    const problem = patternProblem(pattern);
    if (problem !== undefined) {
      throw new ExemptionPatternError(`${setting}: the pattern "${shorten(pattern)}" ${problem}`);
    }
  }
  const matchers = patterns.map((pattern) => ({ pattern, matcher: wildcardMatcher(pattern) }));
  return {
    patterns,
    exemptionOf: (bucket) => matchers.find(({ matcher }) => matcher.test(bucket))?.pattern,
  };
}

function patternProblem(pattern: string): string | undefined {
  const limit = patternLimitProblem(pattern);
  if (limit !== undefined) return limit;
  if (!PATTERN_CHARACTERS.test(pattern)) {
    return 'may hold only what a bucket name holds (a-z, 0-9, ".", "-") and *';
  }
  if (pattern.split('').every((c) => c === '*')) {
    return 'would exempt every bucket; remove the rule instead';
  }
  return undefined;
}

/**
 * The annotation of an exempt bucket: which pattern exempted it (cut to 64
 * characters, so the annotation stays within Config's 256).
 */
export function exemptionAnnotation(pattern: string): string {
  return `Exempt from declaring a classification: the name matches "${shorten(pattern)}" (exemptBuckets).`;
}

function shorten(pattern: string): string {
  return pattern.length > MAX_SHOWN ? `${pattern.slice(0, MAX_SHOWN)}…` : pattern;
}
