import { SEVERITIES, type Severity } from '../policies/policy';
import type { VerdictKind } from '../rules/verdict';
import type { CheckResult } from './check-result';
import { UsageError } from './usage-error';

/** Keyed by verdict, so that a verdict added to the rules cannot be left out here. */
const EVERY_VERDICT: Readonly<Record<VerdictKind, true>> = {
  violation: true,
  unclassified: true,
  compliant: true,
  ignored: true,
};

/** Every verdict a result can have, in the order people look for them. */
export const VERDICTS = Object.keys(EVERY_VERDICT) as readonly VerdictKind[];

/** Which results a report shows; an absent criterion keeps every result. */
export interface ResultCriteria {
  readonly severities?: readonly Severity[];
  readonly verdicts?: readonly VerdictKind[];
  /** Team names, matched ignoring case. */
  readonly teams?: readonly string[];
}

export interface ResultFilter {
  keeps(result: CheckResult): boolean;
  /** The `--team` values no result's team matched so far, as given. */
  unmatchedTeams(): string[];
}

/**
 * Keeps a result when it meets every criterion: its severity is one of
 * `severities` (so results without a severity, compliant and ignored ones, are
 * left out), its verdict one of `verdicts`, its team one of `teams` (ignored
 * findings are not judged and have no team).
 */
export function createResultFilter(criteria: ResultCriteria): ResultFilter {
  const teams = new Map((criteria.teams ?? []).map((team) => [team.toLowerCase(), team]));
  const matched = new Set<string>();
  return {
    keeps(result) {
      const team = result.team?.toLowerCase();
      if (team !== undefined && teams.has(team)) matched.add(team);
      return (
        (criteria.severities === undefined ||
          (result.severity !== null && criteria.severities.includes(result.severity))) &&
        (criteria.verdicts === undefined || criteria.verdicts.includes(result.verdict)) &&
        (criteria.teams === undefined || (team !== undefined && teams.has(team)))
      );
    },
    unmatchedTeams() {
      return [...teams].filter(([key]) => !matched.has(key)).map(([, given]) => given);
    },
  };
}

/** The command-line values of the filters, unchecked. */
export interface RawCriteria {
  readonly severity?: string | undefined;
  readonly verdict?: string | undefined;
  readonly team?: string | undefined;
}

/**
 * The filters from `--severity`, `--verdict` and `--team` (each a comma list).
 *
 * @throws UsageError naming the option and its valid values for a value that is
 *   none of them, or for an empty list.
 */
export function parseCriteria(raw: RawCriteria): ResultCriteria {
  const severities =
    raw.severity === undefined ? undefined : listOf('--severity', raw.severity, SEVERITIES);
  const verdicts =
    raw.verdict === undefined ? undefined : listOf('--verdict', raw.verdict, VERDICTS);
  const teams = raw.team === undefined ? undefined : items('--team', raw.team);
  return {
    ...(severities === undefined ? {} : { severities }),
    ...(verdicts === undefined ? {} : { verdicts }),
    ...(teams === undefined ? {} : { teams }),
  };
}

/** The items of a comma list, each one of `valid` in any case, spelt as `valid` spells it. */
function listOf<T extends string>(option: string, value: string, valid: readonly T[]): T[] {
  return items(option, value).map((item) => {
    const known = valid.find((name) => name.toLowerCase() === item.toLowerCase());
    if (known === undefined) {
      throw new UsageError(
        `${option} takes a comma-separated list of ${valid.join(', ')}; got "${item}"`,
      );
    }
    return known;
  });
}

function items(option: string, value: string): string[] {
  const list = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (list.length === 0) throw new UsageError(`${option} needs at least one value`);
  return list;
}
