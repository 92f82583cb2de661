import { type Severity, severityRank } from '../policies/policy';
import type { VerdictKind } from '../rules/verdict';
import type { CheckResult } from './check-result';

/**
 * How one finding's judgement moved from the old policy to the new one:
 * `new` it alerts now and did not; `gone` it alerted and no longer does;
 * `raised` and `lowered` it alerts under both, at another severity.
 */
export type ChangeKind = 'new' | 'gone' | 'raised' | 'lowered';

export const CHANGE_KINDS: readonly ChangeKind[] = ['new', 'raised', 'lowered', 'gone'];

/** One finding judged differently by the two policies. */
export interface PolicyChange {
  readonly change: ChangeKind;
  readonly team: string;
  readonly bucket: string;
  readonly objectKey: string | null;
  readonly findingId: string;
  /** `file:line` the finding was read from. */
  readonly source: string;
  readonly sample: boolean;
  readonly oldVerdict: VerdictKind;
  readonly newVerdict: VerdictKind;
  readonly oldSeverity: Severity | null;
  readonly newSeverity: Severity | null;
  /**
   * The types at fault, as `TYPE (needs LEVEL)` or `TYPE (forbidden)`: under the
   * new policy, or under the old one for a violation that is gone.
   */
  readonly types: readonly string[];
}

/** Counts for one team, or for all of them. */
export interface DiffTotals {
  /** Findings judged under both policies (ignored ones included). */
  readonly findings: number;
  /** Findings that alert (a violation or an unclassified bucket) under each policy. */
  readonly oldViolations: number;
  readonly newViolations: number;
  readonly new: number;
  readonly gone: number;
  readonly raised: number;
  readonly lowered: number;
}

export interface TeamDiff extends DiffTotals {
  readonly team: string;
}

export interface PolicyDiff {
  /** Every change, by team, then change (new, raised, lowered, gone), bucket and source. */
  readonly changes: readonly PolicyChange[];
  /** Teams with at least one finding that alerts under either policy, by name. */
  readonly teams: readonly TeamDiff[];
  readonly totals: DiffTotals;
}

/** Collects the findings judged under both policies; keeps only what changed. */
export interface PolicyDiffBuilder {
  /** The same finding judged by the old and by the new policy. */
  add(old: CheckResult, next: CheckResult): void;
  finish(): PolicyDiff;
}

/** A team name for findings without one (ignored findings have no team). */
const NO_TEAM = '-';

type Counts = { -readonly [K in keyof DiffTotals]: DiffTotals[K] };

function emptyCounts(): Counts {
  return {
    findings: 0,
    oldViolations: 0,
    newViolations: 0,
    new: 0,
    gone: 0,
    raised: 0,
    lowered: 0,
  };
}

/**
 * The differences two policies make to the same findings, by team, with totals.
 *
 * @example
 * ```ts
 * const diff = createPolicyDiff();
 * diff.add(judgedUnderOld, judgedUnderNew);
 * diff.finish().totals; // { findings: 1, new: 1, ... }
 * ```
 */
export function createPolicyDiff(): PolicyDiffBuilder {
  const changes: PolicyChange[] = [];
  const teams = new Map<string, Counts>();
  const totals = emptyCounts();
  return {
    add(old, next) {
      const team = next.team ?? old.team ?? NO_TEAM;
      const change = compareJudgements(old, next);
      const alertsBefore = old.severity !== null;
      const alertsNow = next.severity !== null;
      totals.findings++;
      if (alertsBefore) totals.oldViolations++;
      if (alertsNow) totals.newViolations++;
      if (change !== undefined) {
        totals[change]++;
        changes.push(toChange(change, team, old, next));
      }
      if (!alertsBefore && !alertsNow) return;
      const counts = teams.get(team) ?? emptyCounts();
      teams.set(team, counts);
      counts.findings++;
      if (alertsBefore) counts.oldViolations++;
      if (alertsNow) counts.newViolations++;
      if (change !== undefined) counts[change]++;
    },
    finish() {
      return {
        changes: [...changes].sort(byTeamAndChange),
        teams: [...teams.entries()]
          .map(([team, counts]) => ({ team, ...counts }))
          .sort((a, b) => compare(a.team, b.team)),
        totals: { ...totals },
      };
    },
  };
}

/** How a finding's judgement changed; `undefined` when its severity did not. */
export function compareJudgements(
  old: Pick<CheckResult, 'severity'>,
  next: Pick<CheckResult, 'severity'>,
): ChangeKind | undefined {
  if (old.severity === null) return next.severity === null ? undefined : 'new';
  if (next.severity === null) return 'gone';
  const step = severityRank(next.severity) - severityRank(old.severity);
  if (step === 0) return undefined;
  return step > 0 ? 'raised' : 'lowered';
}

/**
 * The changes that fail a run at `threshold`: a new violation, or a raised
 * severity, at or above it. Sample findings never do: they are not real data.
 */
export function newAtOrAbove(diff: PolicyDiff, threshold: Severity): PolicyChange[] {
  return diff.changes.filter(
    (change) =>
      (change.change === 'new' || change.change === 'raised') &&
      !change.sample &&
      change.newSeverity !== null &&
      severityRank(change.newSeverity) >= severityRank(threshold),
  );
}

function toChange(
  change: ChangeKind,
  team: string,
  old: CheckResult,
  next: CheckResult,
): PolicyChange {
  const atFault = change === 'gone' ? old : next;
  return {
    change,
    team,
    bucket: next.bucket,
    objectKey: next.objectKey,
    findingId: next.findingId,
    source: next.source,
    sample: next.sample,
    oldVerdict: old.verdict,
    newVerdict: next.verdict,
    oldSeverity: old.severity,
    newSeverity: next.severity,
    types: atFault.violations.map(({ type, requiredLevel }) =>
      requiredLevel === 'forbidden' ? `${type} (forbidden)` : `${type} (needs ${requiredLevel})`,
    ),
  };
}

function byTeamAndChange(a: PolicyChange, b: PolicyChange): number {
  return (
    compare(a.team, b.team) ||
    CHANGE_KINDS.indexOf(a.change) - CHANGE_KINDS.indexOf(b.change) ||
    compare(a.bucket, b.bucket) ||
    compare(a.source, b.source)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
