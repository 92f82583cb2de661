import { percentile, round } from '../../../bench/percentiles';

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted

  it('gives the nearest-rank value: p50 of 1..100 is 50, p95 is 95', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
  });

  it('gives the smallest value for p0 and the largest for p100', () => {
    expect(percentile([7, 3, 9], 0)).toBe(3);
    expect(percentile([7, 3, 9], 100)).toBe(9);
  });

  it('takes the next value up between ranks', () => {
    // 4 values: p50 is rank 2, p51 rank 3.
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 51)).toBe(30);
  });

  it('does not reorder the values it is given', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses no values and a p outside 0..100', () => {
    expect(() => percentile([], 50)).toThrow('percentile of no values');
    expect(() => percentile([1], 101)).toThrow('got 101');
    expect(() => percentile([1], -1)).toThrow('got -1');
  });
});

describe('round', () => {
  it('rounds to two decimals by default, or as many as asked', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(1.23556)).toBe(1.24);
    expect(round(1.23456, 3)).toBe(1.235);
    expect(round(12.5, 0)).toBe(13);
  });
});
