import { median } from '../../../bench/measure';

describe('median', () => {
  it('takes the middle of an odd count and the mean of the middle two of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10, 1, 4, 2])).toBe(3);
    expect(median([7])).toBe(7);
  });

  it('refuses no values', () => {
    expect(() => median([])).toThrow('median of no values');
  });
});
