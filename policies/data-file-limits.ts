import type { z } from 'zod';

/**
 * Limits on policy and waivers files, far above what a real file needs (the
 * default policy is 4 KiB with about 50 entries; Macie allows 10,000 custom data
 * identifiers per account), so a hostile or generated file is refused at once
 * with the limit named, rather than slowing every load.
 */

/** Bytes of one policy or waivers file. */
export const MAX_DATA_FILE_BYTES = 1024 * 1024;

/** Entries of one file: keys of every mapping plus items of every list. */
export const MAX_DATA_FILE_ENTRIES = 20_000;

/** Characters of one `*` pattern (a managed identifier, a waived bucket or type). */
export const MAX_PATTERN_LENGTH = 256;

/** `*` in one pattern. */
export const MAX_PATTERN_STARS = 8;

/** Policies in one chain of `extends`, the first one counted. */
export const MAX_EXTENDS_DEPTH = 10;

/** YAML aliases (`*name`) in one file: an alias bomb expands far past its size. */
export const MAX_ALIASES = 100;

/** What is wrong with the size of a name or pattern, or `undefined` when nothing is. */
export function patternLimitProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`;
  }
  const stars = pattern.split('*').length - 1;
  if (stars > MAX_PATTERN_STARS) {
    return `has ${stars} *; a pattern may have at most ${MAX_PATTERN_STARS}`;
  }
  return undefined;
}

/** `schema` with the size limits of a pattern checked too. */
export function withinPatternLimits(schema: z.ZodString): z.ZodType<string, string> {
  return schema.superRefine((value, ctx) => {
    const problem = patternLimitProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
}
