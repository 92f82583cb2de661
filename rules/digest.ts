import { SEVERITIES, type Severity, severityRank } from '../policies/policy';
import { inert, inertLines } from '../policies/untrusted-text';
import { type Alert, routingOf, subjectOf } from './alert';
import type { AlertRoute, FallbackReason } from './alert-route';
import type { BucketAssessment, BucketState, BucketVerdict, NoticeKind } from './bucket-state';
import {
  fitMessage,
  listHead,
  mostSevereFirst,
  type NotListed,
  notListedLine,
} from './message-bounds';

export const DIGEST_SCHEMA = 'bucket-classification-validator/digest/v1';

/** Waivers that end within this long are named in the digest, so the team can act in time. */
export const WAIVER_WARNING_MS = 7 * 24 * 3_600_000;
/** Buckets, waivers and teams listed in one digest at most; the digest says how many more there are. */
export const MAX_DIGEST_BUCKETS = 100;
export const MAX_DIGEST_WAIVERS = 50;
export const MAX_DIGEST_TEAMS = 200;
/** Open types listed per bucket at most, most severe first; the rest are counted. */
export const MAX_DIGEST_TYPES = 10;

/** A bucket of the ledger judged at the run's time, and where its notices go. */
export interface AssessedBucket {
  readonly state: BucketState;
  readonly assessment: BucketAssessment;
  readonly route: AlertRoute;
}

/** One team's digest for one topic: the team's buckets that name it (or cannot be routed). */
export interface TeamDigestPlan {
  readonly team: string;
  readonly route: AlertRoute;
  readonly buckets: readonly AssessedBucket[];
}

export interface DigestBucket {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly team: string;
  readonly verdict: BucketVerdict;
  readonly severity: Severity | null;
  readonly declaredLevel: string | null;
  readonly publiclyAccessible: boolean;
  /** The open violations, most severe first: each type with the level it needs, occurrences and objects. */
  readonly types: readonly DigestType[];
  /** Open types not listed in `types`, and their occurrences. */
  readonly typesNotListed?: NotListed;
  readonly findings: number;
  readonly openSince: string | null;
  readonly lastNotice: { readonly kind: NoticeKind; readonly at: string } | null;
  /** Why the bucket's notices cannot reach its team, when they cannot. */
  readonly unroutable?: { readonly reason: FallbackReason; readonly detail: string };
}

export interface DigestType {
  readonly type: string;
  /** A level, or `forbidden`. */
  readonly requiredLevel: string;
  readonly count: number;
  readonly findings: number;
}

export interface DigestWaiver {
  readonly bucket: string;
  readonly accountId: string;
  readonly type: string;
  readonly ticket: string;
  readonly approver: string;
  readonly expiresAt: string;
}

export interface DigestTotals {
  /** Buckets in violation or unclassified. */
  readonly buckets: number;
  readonly violation: number;
  readonly unclassified: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  readonly waiversExpiring: number;
}

export interface DigestTeam extends DigestTotals {
  readonly team: string;
  readonly severity: Severity | null;
}

/** The JSON document of a digest. */
export interface DigestDocument {
  readonly schema: typeof DIGEST_SCHEMA;
  readonly kind: 'digest';
  /** `team`: one team's buckets on one topic; `overall`: every team, for central security. */
  readonly scope: 'team' | 'overall';
  /** The team (untrusted text); `null` in the overall digest. */
  readonly team: string | null;
  /** The worst severity open; `null` when nothing is open. */
  readonly severity: Severity | null;
  readonly generatedAt: string;
  readonly summary: string;
  readonly totals: DigestTotals;
  /** The buckets needing attention, worst first. */
  readonly buckets: readonly DigestBucket[];
  readonly bucketsNotListed: number;
  /** Active waivers that end within seven days, soonest first. */
  readonly waiversExpiring: readonly DigestWaiver[];
  readonly waiversNotListed: number;
  /** Every team with open violations or waivers ending soon (overall digest only). */
  readonly teams?: readonly DigestTeam[];
  readonly teamsNotListed?: number;
  readonly routing: {
    readonly topicArn: string;
    readonly fallbackReason?: string;
    readonly detail?: string;
  };
}

/** Whether a bucket belongs in a digest: it is open, or a waiver in it ends soon. */
function needsAttention(bucket: AssessedBucket, now: Date): boolean {
  return bucket.assessment.verdict !== 'clear' || expiringWaivers([bucket], now).length > 0;
}

/**
 * Which team digests are due: one per team and topic, for the teams with open
 * violations, unclassified buckets or waivers that end within seven days.
 * Buckets of one team that name different topics give one digest per topic;
 * buckets whose notices cannot reach a team topic go to central security, in
 * one digest per team that says why for each bucket.
 */
export function planDigests(buckets: readonly AssessedBucket[], now: Date): TeamDigestPlan[] {
  const groups = new Map<string, { team: string; route: AlertRoute; buckets: AssessedBucket[] }>();
  for (const bucket of buckets) {
    if (!needsAttention(bucket, now)) continue;
    const team = bucket.assessment.team;
    const key = JSON.stringify([team, bucket.route.topicArn]);
    const group = groups.get(key) ?? { team, route: bucket.route, buckets: [] };
    group.buckets.push(bucket);
    // A fallback in the group: the digest says it went to central security instead.
    if (bucket.route.kind === 'fallback') group.route = bucket.route;
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ team, route, buckets: members }) => ({
      team,
      route:
        route.kind === 'fallback'
          ? {
              ...route,
              detail: `the team cannot be reached at a topic of its own for ${members.length === 1 ? 'this bucket' : 'these buckets'}; each bucket says why`,
            }
          : route,
      buckets: members,
    }))
    .sort((a, b) => compare(a.team, b.team) || compare(a.route.topicArn, b.route.topicArn));
}

/**
 * The daily digest of one team on one topic: the buckets needing attention
 * (verdict, worst severity, open types with counts, open since, last notice),
 * the team's worst severity, totals, and the waivers that end within seven
 * days. Bounded by the bytes SNS takes: fewer buckets are listed when needed,
 * and the digest says how many more there are.
 *
 * @param levels the policy's levels, lowest first: each bucket's types are listed most severe first.
 */
export function composeTeamDigest(
  plan: TeamDigestPlan,
  route: AlertRoute,
  now: Date,
  levels: readonly string[] = [],
): Alert<DigestDocument> {
  const team = inert(plan.team);
  const open = plan.buckets.filter((bucket) => bucket.assessment.verdict !== 'clear');
  const totals = totalsOf(plan.buckets, now);
  const severity = worstOf(open);
  const listing = listingOf(open, plan.buckets, now, levels);
  return fitMessage((shown) => {
    const document: DigestDocument = {
      schema: DIGEST_SCHEMA,
      kind: 'digest',
      scope: 'team',
      team,
      severity,
      generatedAt: now.toISOString(),
      summary: `Daily digest for team ${team}: ${attention(totals)}.`,
      totals,
      ...listedUpTo(listing, shown),
      routing: routingOf(route),
    };
    return {
      subject: subjectOf(false, severity ?? 'Low', `Daily digest for team ${team}`),
      document,
      text: teamText(document),
      attributes: {
        severity: severity ?? 'Low',
        team,
        bucket: '-',
        kind: 'digest',
        sample: 'false',
      },
    };
  }, LONGEST_LIST);
}

/**
 * Central security's daily digest of the whole ledger: totals, one line per
 * team with open violations or waivers ending soon, the worst buckets and the
 * waivers ending soon. Sent every day, also when nothing is open, so that its
 * absence shows the job did not run.
 */
export function composeOverallDigest(
  buckets: readonly AssessedBucket[],
  route: AlertRoute,
  now: Date,
  levels: readonly string[] = [],
): Alert<DigestDocument> {
  const open = buckets.filter((bucket) => bucket.assessment.verdict !== 'clear');
  const totals = totalsOf(buckets, now);
  const severity = worstOf(open);
  const byTeam = new Map<string, AssessedBucket[]>();
  for (const bucket of buckets) {
    if (!needsAttention(bucket, now)) continue;
    const members = byTeam.get(bucket.assessment.team) ?? [];
    members.push(bucket);
    byTeam.set(bucket.assessment.team, members);
  }
  const teams: DigestTeam[] = [...byTeam]
    .map(([team, members]) => ({
      team: inert(team),
      severity: worstOf(members.filter((m) => m.assessment.verdict !== 'clear')),
      ...totalsOf(members, now),
    }))
    .sort(
      (a, b) =>
        rankOf(b.severity) - rankOf(a.severity) || b.buckets - a.buckets || compare(a.team, b.team),
    );
  const listing = listingOf(open, buckets, now, levels);
  return fitMessage((shown) => {
    const teamsListed = Math.min(shown, MAX_DIGEST_TEAMS);
    const document: DigestDocument = {
      schema: DIGEST_SCHEMA,
      kind: 'digest',
      scope: 'overall',
      team: null,
      severity,
      generatedAt: now.toISOString(),
      summary:
        totals.buckets + totals.waiversExpiring === 0
          ? 'Daily classification digest: nothing is open.'
          : `Daily classification digest: ${attention(totals)}, in ${teams.length} team${teams.length === 1 ? '' : 's'}.`,
      totals,
      ...listedUpTo(listing, shown),
      teams: teams.slice(0, teamsListed),
      teamsNotListed: Math.max(0, teams.length - teamsListed),
      routing: routingOf(route),
    };
    return {
      subject: subjectOf(false, severity ?? 'Low', 'Daily classification digest, all teams'),
      document,
      text: overallText(document),
      attributes: {
        severity: severity ?? 'Low',
        team: '-',
        bucket: '-',
        kind: 'digest',
        sample: 'false',
      },
    };
  }, LONGEST_LIST);
}

/** The most items of any one list a digest shows; each list has its own cap below it. */
const LONGEST_LIST = Math.max(MAX_DIGEST_BUCKETS, MAX_DIGEST_WAIVERS, MAX_DIGEST_TEAMS);

/** Everything a digest could list, in the order it lists it. */
interface Listing {
  readonly buckets: readonly DigestBucket[];
  readonly waivers: readonly DigestWaiver[];
}

function listingOf(
  open: readonly AssessedBucket[],
  all: readonly AssessedBucket[],
  now: Date,
  levels: readonly string[],
): Listing {
  return {
    buckets: [...open].sort(worstFirst).map((bucket) => digestBucket(bucket, levels)),
    waivers: expiringWaivers(all, now),
  };
}

/** At most `shown` buckets and waivers (and no more than their caps), and how many are left out. */
function listedUpTo(listing: Listing, shown: number) {
  const buckets = Math.min(shown, MAX_DIGEST_BUCKETS);
  const waivers = Math.min(shown, MAX_DIGEST_WAIVERS);
  return {
    buckets: listing.buckets.slice(0, buckets),
    bucketsNotListed: Math.max(0, listing.buckets.length - buckets),
    waiversExpiring: listing.waivers.slice(0, waivers),
    waiversNotListed: Math.max(0, listing.waivers.length - waivers),
  };
}

function digestBucket(
  { state, assessment, route }: AssessedBucket,
  levels: readonly string[],
): DigestBucket {
  const types = listHead(
    assessment.violations
      .map((violation) => ({
        type: inert(violation.type),
        requiredLevel: violation.requiredLevel,
        count: violation.count,
        findings: violation.findings,
      }))
      .sort(mostSevereFirst(levels)),
    MAX_DIGEST_TYPES,
  );
  return {
    name: inert(state.bucket),
    accountId: state.accountId,
    region: state.region,
    team: inert(assessment.team),
    verdict: assessment.verdict,
    severity: assessment.severity ?? null,
    declaredLevel: assessment.declaredLevel ?? null,
    publiclyAccessible: assessment.publiclyAccessible,
    types: types.listed,
    ...(types.notListed ? { typesNotListed: types.notListed } : {}),
    findings: state.findings,
    openSince: state.openSince ?? null,
    lastNotice: state.lastNotice ? { kind: state.lastNotice.kind, at: state.lastNotice.at } : null,
    ...(route.kind === 'fallback'
      ? { unroutable: { reason: route.reason, detail: inert(route.detail) } }
      : {}),
  };
}

/** Active waivers that end within {@link WAIVER_WARNING_MS} of `now`, soonest first. */
export function expiringWaivers(buckets: readonly AssessedBucket[], now: Date): DigestWaiver[] {
  const until = now.getTime() + WAIVER_WARNING_MS;
  return buckets
    .flatMap(({ state, assessment }) =>
      assessment.waived
        .filter((waived) => {
          const ends = Date.parse(waived.waiver.expiresAt);
          return ends > now.getTime() && ends <= until;
        })
        .map((waived) => ({
          bucket: inert(state.bucket),
          accountId: state.accountId,
          type: inert(waived.type),
          ticket: inert(waived.waiver.ticket),
          approver: inert(waived.waiver.approver),
          expiresAt: waived.waiver.expiresAt,
        })),
    )
    .sort((a, b) => compare(a.expiresAt, b.expiresAt) || compare(a.bucket, b.bucket));
}

function totalsOf(buckets: readonly AssessedBucket[], now: Date): DigestTotals {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let violation = 0;
  let unclassified = 0;
  for (const { assessment } of buckets) {
    if (assessment.verdict === 'violation') violation++;
    if (assessment.verdict === 'unclassified') unclassified++;
    if (assessment.verdict !== 'clear' && assessment.severity) bySeverity[assessment.severity]++;
  }
  return {
    buckets: violation + unclassified,
    violation,
    unclassified,
    bySeverity,
    waiversExpiring: expiringWaivers(buckets, now).length,
  };
}

function worstOf(buckets: readonly AssessedBucket[]): Severity | null {
  let worst: Severity | null = null;
  for (const { assessment } of buckets) {
    const severity = assessment.severity;
    if (severity && rankOf(severity) > rankOf(worst)) worst = severity;
  }
  return worst;
}

function worstFirst(a: AssessedBucket, b: AssessedBucket): number {
  return (
    rankOf(b.assessment.severity ?? null) - rankOf(a.assessment.severity ?? null) ||
    compare(a.state.bucket, b.state.bucket) ||
    compare(a.state.accountId, b.state.accountId)
  );
}

function rankOf(severity: Severity | null): number {
  return severity === null ? -1 : severityRank(severity);
}

function attention(totals: DigestTotals): string {
  const parts: string[] = [];
  if (totals.buckets > 0) {
    parts.push(
      `${totals.buckets} bucket${totals.buckets === 1 ? ' needs' : 's need'} attention (${totals.violation} in violation, ${totals.unclassified} unclassified)`,
    );
  }
  if (totals.waiversExpiring > 0) {
    parts.push(
      `${totals.waiversExpiring} waiver${totals.waiversExpiring === 1 ? ' ends' : 's end'} within 7 days`,
    );
  }
  return parts.length > 0 ? parts.join('; ') : 'nothing is open';
}

function teamText(document: DigestDocument): string {
  const lines = [document.summary, ''];
  lines.push(...headline(document), '');
  lines.push(...bucketLines(document));
  lines.push(...waiverLines(document));
  if (document.routing.fallbackReason) {
    lines.push(
      `Sent to central security: ${document.routing.detail ?? document.routing.fallbackReason}.`,
      '',
    );
  }
  lines.push(
    'This digest comes once a day while the team has open violations, unclassified buckets or waivers about to end.',
    'Notices about each change (a new violation, an escalation, a resolution) come as they happen.',
  );
  return inertLines(lines);
}

function overallText(document: DigestDocument): string {
  const lines = [document.summary, ''];
  lines.push(...headline(document), '');
  const teams = document.teams ?? [];
  if (teams.length > 0) {
    lines.push('Teams:');
    for (const team of teams) {
      lines.push(
        `  ${team.team}: ${team.buckets} open (${team.violation} in violation, ${team.unclassified} unclassified), worst ${team.severity ?? '-'}; ${team.waiversExpiring} waiver${team.waiversExpiring === 1 ? '' : 's'} ending within 7 days`,
      );
    }
    if (document.teamsNotListed) lines.push(`  and ${document.teamsNotListed} more teams`);
    lines.push('');
  }
  lines.push(...bucketLines(document));
  lines.push(...waiverLines(document));
  lines.push('This digest comes to central security once a day, also when nothing is open.');
  return inertLines(lines);
}

function headline(document: DigestDocument): string[] {
  const { totals } = document;
  const bySeverity = [...SEVERITIES]
    .reverse()
    .filter((severity) => totals.bySeverity[severity] > 0)
    .map((severity) => `${severity} ${totals.bySeverity[severity]}`)
    .join(', ');
  return [
    `Worst severity:  ${document.severity ?? '-'}`,
    `Open buckets:    ${totals.buckets} (${totals.violation} in violation, ${totals.unclassified} unclassified)${bySeverity ? `; ${bySeverity}` : ''}`,
    `Waivers ending:  ${totals.waiversExpiring} within 7 days`,
    `As of:           ${document.generatedAt}`,
  ];
}

function bucketLines(document: DigestDocument): string[] {
  if (document.buckets.length === 0) return [];
  const lines: string[] = [];
  for (const bucket of document.buckets) {
    const level =
      bucket.verdict === 'violation'
        ? `declared ${bucket.declaredLevel}`
        : 'no valid classification';
    lines.push(`${bucket.name} (account ${bucket.accountId}, ${bucket.region})`);
    lines.push(
      `  ${bucket.severity ?? '-'} ${bucket.verdict}: ${level}${bucket.publiclyAccessible ? '; publicly accessible' : ''}${document.scope === 'overall' ? `; team ${bucket.team}` : ''}`,
    );
    lines.push(
      `  Open types:    ${bucket.types
        .map(
          (type) =>
            `${type.type} (${type.requiredLevel === 'forbidden' ? 'forbidden' : `needs ${type.requiredLevel}`}) ${type.count} in ${type.findings} object${type.findings === 1 ? '' : 's'}`,
        )
        .join('; ')}${bucket.typesNotListed ? `; ${notListedLine(bucket.typesNotListed)}` : ''}`,
    );
    lines.push(
      `  Findings:      ${bucket.findings}; open since ${bucket.openSince ?? '-'}; last notice ${bucket.lastNotice ? `${bucket.lastNotice.kind} at ${bucket.lastNotice.at}` : 'none'}`,
    );
    if (bucket.unroutable) lines.push(`  Not routed to the team: ${bucket.unroutable.detail}`);
    lines.push('');
  }
  if (document.bucketsNotListed > 0) {
    lines.push(
      `and ${document.bucketsNotListed} more bucket${document.bucketsNotListed === 1 ? '' : 's'}: bucket-classification ledger show${document.team === null ? '' : ` --team "${document.team}"`} lists them all.`,
      '',
    );
  }
  return lines;
}

function waiverLines(document: DigestDocument): string[] {
  if (document.waiversExpiring.length === 0) return [];
  const lines = ['Waivers ending within 7 days:'];
  for (const waiver of document.waiversExpiring) {
    lines.push(
      `  ${waiver.bucket}: ${waiver.type} (${waiver.ticket}, approved by ${waiver.approver}) ends ${waiver.expiresAt}`,
    );
  }
  if (document.waiversNotListed > 0) lines.push(`  and ${document.waiversNotListed} more`);
  lines.push('');
  return lines;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
