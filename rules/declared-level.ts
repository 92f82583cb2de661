import { normaliseLevelName, type Policy } from '../policies/policy';

/** What a bucket's classification tag declares. */
export type Declaration =
  | { readonly kind: 'declared'; readonly level: string; readonly rank: number }
  /** No tag, or an empty one. */
  | { readonly kind: 'missing' }
  /** A value that is not a level or alias of the policy. */
  | { readonly kind: 'unknown'; readonly value: string };

/**
 * Reads a classification tag value: level names and aliases match
 * case-insensitively after trimming, so ` confidential ` declares `Confidential`.
 */
export function declaredLevelOf(policy: Policy, value: string | undefined): Declaration {
  if (value === undefined || value.trim() === '') return { kind: 'missing' };
  const rank = policy.levelByName.get(normaliseLevelName(value));
  const level = rank === undefined ? undefined : policy.levels[rank];
  if (rank === undefined || level === undefined) return { kind: 'unknown', value };
  return { kind: 'declared', level, rank };
}
