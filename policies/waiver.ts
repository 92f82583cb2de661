/**
 * Waivers after loading: the shape the waiver rule reads.
 *
 * A waiver is a time-limited exception granted by central security: the data
 * types it names are accepted in the buckets it names until it expires. A waivers
 * file (YAML or JSON, see `waivers-file-schema.ts`) is turned into this by
 * `loadWaivers`, which compiles every pattern once.
 */
import { normaliseCustomName } from './policy';
import type { WildcardMatcher } from './wildcard';

export interface Waiver {
  /** Bucket name or `*` pattern, as written. */
  readonly bucket: string;
  /** Matches bucket names (exactly: S3 bucket names are lower case). */
  readonly bucketMatcher: WildcardMatcher;
  /** The only account the waiver holds in; `null` for any account. */
  readonly accountId: string | null;
  /** Data types or `*` patterns, as written. */
  readonly types: readonly string[];
  /** One matcher per entry of `types`, over names normalised by `normaliseWaivedType`. */
  readonly typeMatchers: readonly WildcardMatcher[];
  readonly reason: string;
  readonly ticket: string;
  readonly approver: string;
  /** The expiry as written: a date `YYYY-MM-DD` or an ISO timestamp. */
  readonly expires: string;
  /**
   * The first instant the waiver no longer holds: for a date, the midnight (UTC)
   * after it, so the waiver holds through that whole day.
   */
  readonly expiresAt: Date;
  /** Where the waiver is written, `file:line`, for messages. */
  readonly source: string;
}

export interface Waivers {
  /** The file the waivers came from. */
  readonly source: string;
  /** In the order of the file. */
  readonly waivers: readonly Waiver[];
}

/**
 * Waived types compare case-insensitively, as the policy compares them. Managed
 * identifiers are upper-case ASCII ids, so lower-casing them as custom identifier
 * names are lower-cased compares both kinds alike.
 */
export function normaliseWaivedType(value: string): string {
  return normaliseCustomName(value);
}
