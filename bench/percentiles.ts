/**
 * The value below which `p` percent of `values` fall (nearest rank: the smallest
 * value that at least `p` percent of the values are less than or equal to).
 *
 * @throws Error for no values or a `p` outside 0..100.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be from 0 to 100; got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** A figure rounded to `digits` decimals, for results files people read. */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
