import type { BenchSection } from './section';

/** The value at a dotted key (`handler.apiCalls.compliant`) of a results document. */
export function valueAt(results: Readonly<Record<string, unknown>>, key: string): unknown {
  let value: unknown = results;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Each budget of `section` that `results` miss, as `key: why`. */
export function missedBudgets(
  section: BenchSection,
  results: Readonly<Record<string, unknown>>,
): string[] {
  return section.budgets.flatMap((budget) => {
    const why = budget.check(valueAt(results, budget.key));
    return why === undefined ? [] : [`${budget.key}: ${why}`];
  });
}
