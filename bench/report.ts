import { limitOf, round } from './budget-limits';
import type { Budget } from './section';

/** A budget held against the figure it names. */
export interface BudgetResult {
  readonly key: string;
  readonly value: unknown;
  readonly limit: string;
  /** Why the budget was missed; absent when it was met. */
  readonly missed?: string;
}

/** Every leaf of nested figures with its dotted key, in the figures' order. */
export function flatten(figures: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(figures).flatMap(([name, value]): Array<[string, unknown]> => {
    const key = prefix ? `${prefix}.${name}` : name;
    return isRecord(value) ? flatten(value, key) : [[key, value]];
  });
}

/** The figure at a dotted key (`cli.peakRssMb.50k`), or `undefined`. */
export function valueAt(figures: Record<string, unknown>, key: string): unknown {
  let at: unknown = figures;
  for (const name of key.split('.')) {
    if (!isRecord(at)) return undefined;
    at = at[name];
  }
  return at;
}

/** Each budget held against the figure its key names. */
export function checkBudgets(
  figures: Record<string, unknown>,
  budgets: readonly Budget[],
): BudgetResult[] {
  return budgets.map((budget) => {
    const value = valueAt(figures, budget.key);
    const missed = budget.check(value);
    return { key: budget.key, value, limit: limitOf(budget), ...(missed ? { missed } : {}) };
  });
}

const MAX_COLUMN_WIDTH = 60;

/** A figure as the table shows it. */
export function formatValue(value: unknown): string {
  if (typeof value === 'number') return String(round(value));
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(formatValue).join(', ');
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * A plain-text table with one row per figure: key, value, the budget on it (if any) and
 * whether it was met. A budget whose figure is missing, or is a group of figures,
 * gets a row of its own.
 */
export function formatTable(
  figures: Record<string, unknown>,
  results: readonly BudgetResult[],
): string {
  const byKey = new Map(results.map((result) => [result.key, result]));
  const rows = flatten(figures).map(([key, value]) => {
    const budget = byKey.get(key);
    byKey.delete(key);
    return [key, formatValue(value), budget?.limit ?? '', okText(budget)];
  });
  // A budget on a group of figures (calls by service) is shown after the figures' rows.
  for (const budget of byKey.values()) {
    const value = isRecord(valueAt(figures, budget.key)) ? '(the figures above)' : 'missing';
    rows.push([budget.key, value, budget.limit, okText(budget)]);
  }
  const header = ['key', 'value', 'budget', 'ok'];
  // A long value (a list) runs past its column rather than widening every row.
  const widths = header.map((title, column) =>
    Math.max(
      title.length,
      ...rows.map((row) => Math.min((row[column] ?? '').length, MAX_COLUMN_WIDTH)),
    ),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

function okText(budget: BudgetResult | undefined): string {
  if (!budget) return '';
  return budget.missed ? 'NO' : 'yes';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
