/**
 * A matcher for a pattern where `*` stands for any run of characters (none too)
 * and everything else is literal: `*_PASSPORT_NUMBER`, `acme-analytics-*`.
 */
export function wildcardMatcher(pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`);
}
