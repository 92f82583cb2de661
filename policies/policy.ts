/**
 * The classification policy after loading: the shape every rule reads.
 *
 * A policy file (YAML or JSON, see `policy-file-schema.ts`) is turned into this
 * by `loadPolicy`, which resolves every level reference once, so the rules never
 * meet an unknown level name.
 */

import type { WildcardMatcher } from './wildcard';

/** Severities of a violation, lowest first. */
export const SEVERITIES = ['Low', 'Medium', 'High', 'Critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a sensitive data type needs from the bucket that holds it. */
export type Requirement =
  /** Allowed in buckets declared at `level` or above; `rank` is its index in `Policy.levels`. */
  | { readonly kind: 'level'; readonly level: string; readonly rank: number }
  /** Allowed at no level at all (credentials, private keys). */
  | { readonly kind: 'forbidden' };

/** A policy key such as `*_PASSPORT_NUMBER`. */
export interface IdentifierPattern {
  readonly pattern: string;
  readonly matcher: WildcardMatcher;
  readonly requirement: Requirement;
}

export interface SeverityTable {
  /** `levelGap[g - 1]` is the severity when the data needs `g` levels more than declared. */
  readonly levelGap: readonly Severity[];
  readonly forbidden: Severity;
  readonly unclassified: Severity;
  /** Steps a finding in a publicly accessible bucket is raised by (capped at the top). */
  readonly publicExposureRaise: number;
}

export interface Policy {
  /** Where the policy came from, for messages: a file path or `<default>`. */
  readonly source: string;
  /** The policies this one extends, nearest first; absent when it extends none. */
  readonly extends?: readonly string[];
  /** Canonical level names, lowest first. */
  readonly levels: readonly string[];
  /** Normalised level name or alias -> rank. Use `normaliseLevelName` for lookups. */
  readonly levelByName: ReadonlyMap<string, number>;
  /** Macie category (upper case) -> requirement. */
  readonly categories: ReadonlyMap<string, Requirement>;
  /** For a category the policy does not name. */
  readonly unknownCategory: Requirement;
  /** Managed data identifier (upper case) -> requirement, overriding its category. */
  readonly managedIdentifiers: ReadonlyMap<string, Requirement>;
  /** `*` patterns over managed data identifiers, most specific first. */
  readonly managedIdentifierPatterns: readonly IdentifierPattern[];
  readonly customIdentifiers: {
    readonly default: Requirement;
    /** Normalised custom data identifier name -> requirement. */
    readonly byName: ReadonlyMap<string, Requirement>;
  };
  readonly severity: SeverityTable;
}

/** Tag values and level references compare case-insensitively after trimming. */
export function normaliseLevelName(value: string): string {
  return value.trim().toLowerCase();
}

/** Managed data identifiers and categories are upper-case IDs; compare them that way. */
export function normaliseIdentifier(value: string): string {
  return value.trim().toUpperCase();
}

/** Custom data identifier names are chosen by people; compare them case-insensitively. */
export function normaliseCustomName(value: string): string {
  return value.trim().toLowerCase();
}

/** Rank of a severity in `SEVERITIES`. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
