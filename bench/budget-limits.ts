import type { Budget } from './section';

/** A budget that can say what it allows, for the table. */
export interface DescribedBudget extends Budget {
  /** What the budget allows, e.g. `<= 1.5`. */
  readonly limit: string;
}

/** The figure must be a number no greater than `limit`. */
export function atMost(key: string, limit: number, note = ''): DescribedBudget {
  return {
    key,
    limit: `<= ${limit}`,
    check: (value) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return `${key} was not measured (got ${typeof value === 'number' ? value : JSON.stringify(value)})`;
      }
      if (value <= limit) return undefined;
      return `${key} is ${round(value)}, over its budget of ${limit}${note ? ` (${note})` : ''}`;
    },
  };
}

/** What a budget allows, when it says so. */
export function limitOf(budget: Budget): string {
  const { limit } = budget as Partial<DescribedBudget>;
  return typeof limit === 'string' ? limit : 'checked';
}

/** A figure shown with at most three significant digits past the integer part. */
export function round(value: number): number {
  if (Number.isInteger(value) || Math.abs(value) >= 1000) return Math.round(value);
  return Number(value.toPrecision(3));
}
