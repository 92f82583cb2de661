import { normaliseWaivedType, type Waiver, type Waivers } from '../policies/waiver';
import type { WaiverLookup } from './bucket-state';

const DAY_MS = 24 * 60 * 60 * 1000;

/** One detected data type in one bucket, as a waiver is asked about it. */
export interface WaiverSubject {
  readonly accountId: string;
  readonly bucket: string;
  /** A managed identifier id or a custom identifier name, in any case. */
  readonly type: string;
}

/** The waiver that speaks for a subject, and whether it still holds. */
export type WaiverMatch =
  | { readonly status: 'active'; readonly waiver: Waiver }
  | { readonly status: 'expired'; readonly waiver: Waiver };

/** A waiver that still holds, with the whole days it has left (see `daysLeft`). */
export interface ExpiringWaiver {
  readonly waiver: Waiver;
  readonly daysLeft: number;
}

/** Whether `waiver` still holds at `now`: a date waiver holds through the end of its day (UTC). */
export function isActive(waiver: Waiver, now: Date): boolean {
  return now.getTime() < waiver.expiresAt.getTime();
}

/**
 * The waiver for a data type in a bucket: the bucket name or pattern matches, the
 * account matches when the waiver names one, and one of its types matches
 * (case-insensitively). An active waiver wins over an expired one; among active
 * ones the one that holds longest, among expired ones the one that expired last
 * (the one people most likely mean to renew); then the first in the file.
 * `undefined` when no waiver names the subject.
 *
 * @example
 * ```yaml
 * waivers:
 *   - bucket: acme-analytics-*
 *     types: ["*_PASSPORT_NUMBER"]
 *     ...
 *     expires: 2026-06-30
 * ```
 * `waiverFor(waivers, { accountId, bucket: 'acme-analytics-eu', type: 'usa_passport_number' }, now)`
 * is `{ status: 'active', waiver }` until 2026-06-30 ends (UTC), then `{ status: 'expired', waiver }`.
 */
export function waiverFor(
  waivers: Waivers,
  subject: WaiverSubject,
  now: Date,
): WaiverMatch | undefined {
  const type = normaliseWaivedType(subject.type);
  let best: WaiverMatch | undefined;
  for (const waiver of waivers.waivers) {
    if (!covers(waiver, subject, type)) continue;
    const candidate: WaiverMatch = isActive(waiver, now)
      ? { status: 'active', waiver }
      : { status: 'expired', waiver };
    if (best === undefined || outranks(candidate, best)) best = candidate;
  }
  return best;
}

/**
 * Whole days from today (UTC) to the last day the waiver holds: 0 on its last
 * day, 1 the day before, -1 the day after. A waiver ending at a timestamp counts
 * the day of the last instant it holds as its last day.
 */
export function daysLeft(waiver: Waiver, now: Date): number {
  const lastDay = utcDay(waiver.expiresAt.getTime() - 1);
  return lastDay - utcDay(now.getTime());
}

/**
 * The waivers that still hold at `now` and have at most `days` days left, the
 * soonest to end first: those to renew or retire.
 */
export function expiringWithin(waivers: Waivers, days: number, now: Date): ExpiringWaiver[] {
  return waivers.waivers
    .filter((waiver) => isActive(waiver, now))
    .map((waiver) => ({ waiver, daysLeft: daysLeft(waiver, now) }))
    .filter((entry) => entry.daysLeft <= days)
    .sort((a, b) => a.waiver.expiresAt.getTime() - b.waiver.expiresAt.getTime());
}

function covers(waiver: Waiver, subject: WaiverSubject, type: string): boolean {
  return (
    (waiver.accountId === null || waiver.accountId === subject.accountId) &&
    waiver.bucketMatcher.test(subject.bucket) &&
    waiver.typeMatchers.some((matcher) => matcher.test(type))
  );
}

/** Active beats expired; then the later expiry; a tie keeps the earlier waiver. */
function outranks(candidate: WaiverMatch, best: WaiverMatch): boolean {
  if (candidate.status !== best.status) return candidate.status === 'active';
  return candidate.waiver.expiresAt.getTime() > best.waiver.expiresAt.getTime();
}

function utcDay(time: number): number {
  return Math.floor(time / DAY_MS);
}

/**
 * The waivers of one bucket at one time, as the ledger's assessment asks for
 * them: a type's waiver, with its expiry as ISO text (the ledger stores JSON).
 */
export function waiverLookup(
  waivers: Waivers,
  accountId: string,
  bucket: string,
  now: Date,
): WaiverLookup {
  return (type) => {
    const match = waiverFor(waivers, { accountId, bucket, type }, now);
    if (match === undefined) return undefined;
    const { waiver } = match;
    return {
      status: match.status,
      waiver: {
        ticket: waiver.ticket,
        approver: waiver.approver,
        reason: waiver.reason,
        expiresAt: waiver.expiresAt.toISOString(),
        source: waiver.source,
      },
    };
  };
}
