import fc from 'fast-check';
import { wildcardMatcher } from '../../../policies/wildcard';

/** The meaning of a pattern, spelled as a regular expression (fine for short inputs). */
function reference(pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 's');
}

describe('wildcardMatcher', () => {
  it.each([
    ['*_PASSPORT_NUMBER', 'USA_PASSPORT_NUMBER', true],
    ['*_PASSPORT_NUMBER', 'USA_PASSPORT_NUMBERS', false],
    ['acme-analytics-*', 'acme-analytics-', true],
    ['acme-analytics-*', 'acme-analytic', false],
    ['*', '', true],
    ['**', 'anything', true],
    // A middle part may not reach into the suffix: AB then B needs three characters.
    ['*AB*B', 'AB', false],
    ['*AB*B', 'ABB', true],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['*ab*ab*', 'xabyab', true],
    ['*ab*ab*', 'xaby', false],
    ['*.csv', 'report.csv', true],
    ['*.csv', 'reportxcsv', false],
    ['USA_SOCIAL_SECURITY_NUMBER', 'USA_SOCIAL_SECURITY_NUMBER', true],
    ['USA_SOCIAL_SECURITY_NUMBER', 'usa_social_security_number', false],
  ])('matches %j against %j: %s', (pattern, text, expected) => {
    expect(wildcardMatcher(pattern).test(text)).toBe(expected);
  });

  it('answers what the pattern means, for any pattern and text', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '.', '_');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '.', '_'), maxLength: 12 }),
        (pattern, text) => {
          expect(wildcardMatcher(pattern).test(text)).toBe(reference(pattern).test(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('does not backtrack: six stars against a long name that almost matches', () => {
    // A regular expression of `.*` runs needs minutes for this; the matcher makes one
    // pass per literal part.
    const matcher = wildcardMatcher('*a*a*a*a*a*a*b');

    expect(matcher.test('a'.repeat(10_000))).toBe(false);
    expect(matcher.test(`${'a'.repeat(10_000)}b`)).toBe(true);
  });
});
