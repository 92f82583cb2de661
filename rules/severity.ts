import {
  type Requirement,
  SEVERITIES,
  type Severity,
  type SeverityTable,
  severityRank,
} from '../policies/policy';

/**
 * Severity of one type found in a bucket declared at `declaredRank`, or
 * `undefined` when the type is allowed there. Gaps wider than the table use its
 * last entry.
 */
export function severityOfGap(
  table: SeverityTable,
  requirement: Requirement,
  declaredRank: number,
): Severity | undefined {
  if (requirement.kind === 'forbidden') return table.forbidden;
  const gap = requirement.rank - declaredRank;
  if (gap <= 0) return undefined;
  return table.levelGap[Math.min(gap, table.levelGap.length) - 1] ?? SEVERITIES.at(-1);
}

/** The worse of severities; `undefined` for none. */
export function worstSeverity(severities: Iterable<Severity | undefined>): Severity | undefined {
  let worst: Severity | undefined;
  for (const severity of severities) {
    if (
      severity !== undefined &&
      (worst === undefined || severityRank(severity) > severityRank(worst))
    ) {
      worst = severity;
    }
  }
  return worst;
}

/** Raises a severity by `steps`, capped at the highest. */
export function raiseSeverity(severity: Severity, steps: number): Severity {
  const rank = Math.min(severityRank(severity) + Math.max(steps, 0), SEVERITIES.length - 1);
  return SEVERITIES[rank] ?? severity;
}
