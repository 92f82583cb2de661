import { alternatives, closest, didYouMean, editDistance } from '../../../bin/cli-suggest';

describe('editDistance', () => {
  it.each([
    ['format', 'format', 0],
    ['formt', 'format', 1],
    ['fromat', 'format', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['FORMAT', 'format', 0],
  ])('from %j to %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('closest', () => {
  it('offers candidates within two edits of a short word, nearest first', () => {
    expect(closest('tabel', ['team', 'table', 'tables', 'bucket'])).toEqual(['table', 'tables']);
  });

  it('offers a candidate two edits from a six-letter word, not one three edits away', () => {
    expect(editDistance('colour', 'colr')).toBe(2);
    expect(editDistance('colour', 'clr')).toBe(3);

    expect(closest('colour', ['colr'])).toEqual(['colr']);
    expect(closest('colour', ['clr', 'policy', 'format'])).toEqual([]);
  });

  it('allows a third of a long word in edits', () => {
    // 18 letters: up to 6 edits.
    expect(closest('USA_PASSPORT_NUMBR', ['USA_PASSPORT_NUMBER', 'AWS_CREDENTIALS'])).toEqual([
      'USA_PASSPORT_NUMBER',
    ]);
  });

  it('keeps at most the limit, ties in name order', () => {
    expect(closest('ab', ['ad', 'ac', 'ae'], 2)).toEqual(['ac', 'ad']);
  });
});

describe('didYouMean', () => {
  it('says nothing without suggestions', () => {
    expect(didYouMean([])).toBe('');
  });

  it('names one or several', () => {
    expect(didYouMean(['--format'])).toBe(' (did you mean --format?)');
    expect(didYouMean(['a', 'b', 'c'])).toBe(' (did you mean a, b or c?)');
  });
});

describe('alternatives', () => {
  it.each([
    [[], ''],
    [['a'], 'a'],
    [['a', 'b'], 'a or b'],
    [['a', 'b', 'c'], 'a, b or c'],
  ])('joins %j as %j', (names, text) => {
    expect(alternatives(names)).toBe(text);
  });
});
