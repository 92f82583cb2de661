/** Matches text against a pattern where `*` stands for any run of characters. */
export interface WildcardMatcher {
  test(text: string): boolean;
}

/**
 * A matcher for a pattern where `*` stands for any run of characters (none too)
 * and everything else is literal: `*_PASSPORT_NUMBER`, `acme-analytics-*`.
 *
 * It takes time linear in the text for each literal part of the pattern, whatever
 * the number of stars: the literal parts are found left to right, each at its
 * first place after the one before, which is where a match can always be found if
 * there is one. (A regular expression of `.*` runs backtracks: six stars against a
 * 100-character name could take minutes.)
 */
export function wildcardMatcher(pattern: string): WildcardMatcher {
  const parts = pattern.split('*');
  if (parts.length === 1) return { test: (text) => text === pattern };
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  const middle = parts.slice(1, -1).filter((part) => part !== '');
  return {
    test(text) {
      if (text.length < first.length + last.length) return false;
      if (!text.startsWith(first) || !text.endsWith(last)) return false;
      let from = first.length;
      const end = text.length - last.length;
      for (const part of middle) {
        const at = text.indexOf(part, from);
        if (at < 0 || at + part.length > end) return false;
        from = at + part.length;
      }
      return true;
    },
  };
}
