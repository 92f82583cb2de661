import { createHash } from 'node:crypto';
import {
  CreateClassificationJobCommand,
  type CreateClassificationJobRequest,
  DescribeClassificationJobCommand,
  type JobScheduleFrequency,
  Macie2Client,
  paginateListClassificationJobs,
  paginateListMembers,
  type S3JobDefinition,
} from '@aws-sdk/client-macie2';
import type { ScanFrequency } from './macie-schedule';

/** What `CreateClassificationJob` is sent: the SDK's request, unchanged. */
export type ClassificationJobInput = CreateClassificationJobRequest;

/** A classification job that Macie already has (not cancelled). */
export interface ExistingJob {
  readonly id: string;
  readonly name: string;
  /** `RUNNING`, `PAUSED`, `USER_PAUSED`, `IDLE` or `COMPLETE`. */
  readonly status: string;
  /** `SCHEDULED` or `ONE_TIME`. */
  readonly jobType: string | undefined;
  readonly schedule: JobScheduleFrequency | undefined;
  readonly createdAt: Date | undefined;
  /** The token it was created with: equal to ours when this command created it with the same options. */
  readonly clientToken: string | undefined;
  /**
   * The accounts whose buckets it scans, sorted: the values of its one `ACCOUNT_ID`
   * equals condition. Undefined when its scope is not that (specific buckets, no
   * account condition, or account conditions this cannot read as one list).
   */
  readonly accounts: readonly string[] | undefined;
}

export interface CreatedJob {
  readonly id: string;
  readonly arn: string | undefined;
}

/** Port: the account's Macie classification jobs in one region. */
export interface ClassificationJobs {
  /** The job called exactly `name` that is not cancelled, if there is one (the newest, if several). */
  findByName(name: string): Promise<ExistingJob | undefined>;
  /** Creates the job exactly as given. */
  create(input: ClassificationJobInput): Promise<CreatedJob>;
}

/**
 * Macie `ListClassificationJobs` (every page, newest first), then
 * `DescribeClassificationJob` for the schedule, which the list does not carry;
 * `CreateClassificationJob` to create.
 */
export class MacieClassificationJobs implements ClassificationJobs {
  constructor(private readonly client: Macie2Client = new Macie2Client({})) {}

  async findByName(name: string): Promise<ExistingJob | undefined> {
    // Macie matches the name filter as a substring; the exact match is ours.
    const pages = paginateListClassificationJobs(
      { client: this.client },
      {
        filterCriteria: { includes: [{ key: 'name', comparator: 'CONTAINS', values: [name] }] },
        sortCriteria: { attributeName: 'createdAt', orderBy: 'DESC' },
      },
    );
    for await (const page of pages) {
      for (const job of page.items ?? []) {
        if (job.name === name && job.jobId && job.jobStatus !== 'CANCELLED') {
          return await this.describe(job.jobId, name);
        }
      }
    }
    return undefined;
  }

  async create(input: ClassificationJobInput): Promise<CreatedJob> {
    const { jobId, jobArn } = await this.client.send(new CreateClassificationJobCommand(input));
    if (!jobId) throw new Error('CreateClassificationJob returned no job id');
    return { id: jobId, arn: jobArn };
  }

  private async describe(jobId: string, name: string): Promise<ExistingJob> {
    const job = await this.client.send(new DescribeClassificationJobCommand({ jobId }));
    return {
      id: jobId,
      name,
      status: job.jobStatus ?? 'UNKNOWN',
      jobType: job.jobType,
      schedule: job.scheduleFrequency,
      createdAt: job.createdAt,
      clientToken: job.clientToken,
      accounts: jobAccounts(job.s3JobDefinition),
    };
  }
}

/**
 * The accounts a job's bucket criteria limit it to: the values of its single include
 * condition `ACCOUNT_ID` `EQ`. Anything else is not a list of accounts this command
 * would have made (no such condition, several of them, an account exclusion, a fixed
 * bucket list) and gives undefined.
 */
export function jobAccounts(definition: S3JobDefinition | undefined): string[] | undefined {
  const criteria = definition?.bucketCriteria;
  if (criteria === undefined || definition?.bucketDefinitions !== undefined) return undefined;
  const onAccounts = (criteria.includes?.and ?? []).filter(
    (condition) => condition.simpleCriterion?.key === 'ACCOUNT_ID',
  );
  const excludesAccounts = (criteria.excludes?.and ?? []).some(
    (condition) => condition.simpleCriterion?.key === 'ACCOUNT_ID',
  );
  const [only, ...more] = onAccounts;
  if (only?.simpleCriterion?.comparator !== 'EQ' || more.length > 0 || excludesAccounts) {
    return undefined;
  }
  return canonicalAccounts(only.simpleCriterion.values ?? []);
}

/** An account associated with a Macie administrator account. */
export interface MacieMember {
  readonly accountId: string;
  /** `Enabled`, `Paused`, `Invited`, `Created`, `Removed`, `Resigned`, ... */
  readonly relationshipStatus: string;
}

/** Port: the member accounts of the Macie administrator account in one region. */
export interface MacieMemberAccounts {
  /** The accounts currently associated with the caller as their Macie administrator. */
  associated(): Promise<MacieMember[]>;
}

/** Macie `ListMembers` with `onlyAssociated`, every page. */
export class MacieMembers implements MacieMemberAccounts {
  constructor(private readonly client: Macie2Client = new Macie2Client({})) {}

  async associated(): Promise<MacieMember[]> {
    const members: MacieMember[] = [];
    const pages = paginateListMembers({ client: this.client }, { onlyAssociated: 'true' });
    for await (const page of pages) {
      for (const member of page.members ?? []) {
        if (!member.accountId) throw new Error('ListMembers returned a member without accountId');
        members.push({
          accountId: member.accountId,
          relationshipStatus: member.relationshipStatus ?? 'unknown',
        });
      }
    }
    return members;
  }
}

/** The relationship status of a member whose buckets Macie can analyse. */
export const ENABLED_MEMBER = 'Enabled';

/** What `--organization` covers, or why it cannot. */
export type OrganizationScope =
  | { readonly ok: true; readonly accounts: readonly string[] }
  | { readonly ok: false; readonly problem: string };

/**
 * The accounts an organisation-wide job covers: the administrator's own account and
 * every member whose relationship is `Enabled`; with `requested`, exactly those,
 * each of which must be one of them. Never an empty scope: an administrator with
 * no enabled member is a problem (most likely the caller is not the administrator).
 *
 * @example
 * organizationScope('111122223333', [{ accountId: '444455556666', relationshipStatus: 'Enabled' }])
 * // { ok: true, accounts: ['111122223333', '444455556666'] }
 */
export function organizationScope(
  administrator: string,
  members: readonly MacieMember[],
  requested?: readonly string[],
): OrganizationScope {
  const enabled = members.filter((m) => m.relationshipStatus === ENABLED_MEMBER);
  if (enabled.length === 0) {
    const others = members.length === 0 ? '' : ` (${describeStatuses(members)})`;
    return {
      ok: false,
      problem:
        `account ${administrator} has no enabled Macie member accounts${others}: ` +
        'run it with the credentials of the Macie administrator account of the organisation, ' +
        'or without --organization to scan this account only',
    };
  }
  const covered = canonicalAccounts([administrator, ...enabled.map((m) => m.accountId)]);
  if (requested === undefined) return { ok: true, accounts: covered };
  const outside = canonicalAccounts(requested).filter((id) => !covered.includes(id));
  if (outside.length > 0) {
    const status = new Map(members.map((m) => [m.accountId, m.relationshipStatus]));
    const named = outside.map((id) => {
      const relationship = status.get(id);
      return relationship === undefined ? id : `${id} (${relationship})`;
    });
    const which =
      outside.length === 1
        ? 'an account that is not an enabled Macie member'
        : `${outside.length} accounts that are not enabled Macie members`;
    return {
      ok: false,
      problem: `--accounts names ${which} of administrator ${administrator}: ${listSome(named)}`,
    };
  }
  return { ok: true, accounts: canonicalAccounts(requested) };
}

/** At most 10 items, then how many more: a message stays readable whatever the input. */
function listSome(items: readonly string[]): string {
  const shown = items.slice(0, 10).join(', ');
  return items.length > 10 ? `${shown} and ${items.length - 10} more` : shown;
}

function describeStatuses(members: readonly MacieMember[]): string {
  const counts = new Map<string, number>();
  for (const m of members)
    counts.set(m.relationshipStatus, (counts.get(m.relationshipStatus) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
}

/** Sorted and without repeats: the order in which accounts are named does not change the job. */
export function canonicalAccounts(accounts: readonly string[]): string[] {
  return [...new Set(accounts)].sort();
}

/** An AWS account id: exactly 12 digits. */
export function isAccountId(text: string): boolean {
  return /^\d{12}$/.test(text);
}

export { DEFAULT_JOB_NAME, SCAN_FREQUENCIES, type ScanFrequency } from './macie-schedule';

/** Tags on the job, so that it can be told apart from jobs people made by hand. */
export const JOB_TAGS: Readonly<Record<string, string>> = {
  ManagedBy: 'bucket-classification-validator',
};

export interface TagPair {
  readonly key: string;
  readonly value: string;
}

export interface ScheduledScan {
  readonly name: string;
  /** The accounts whose buckets are scanned (at least one; order and repeats do not matter). */
  readonly accountIds: readonly string[];
  readonly frequency: ScanFrequency;
  /** Buckets carrying any of these tags are left out. */
  readonly excludeTags: readonly TagPair[];
}

/**
 * The `CreateClassificationJob` input of the scheduled scan: every bucket of
 * the accounts (one `ACCOUNT_ID` condition, whose values Macie joins with OR;
 * bucket criteria, so buckets created later are scanned too), minus buckets
 * carrying any excluded tag; all managed data identifiers; a first run at once.
 * The client token is derived from everything else, so the same options always
 * send the same token and a retried create is answered with the job the first
 * attempt made.
 *
 * @throws Error when no account is given or one is not a 12-digit id: a job
 *   without an account condition would scan every account a Macie
 *   administrator sees.
 * @example
 * scheduledScanJob({ name: DEFAULT_JOB_NAME, accountIds: ['111122223333'],
 *   frequency: 'weekly', excludeTags: [{ key: 'Scan', value: 'off' }] })
 */
export function scheduledScanJob(scan: ScheduledScan): ClassificationJobInput {
  const accounts = canonicalAccounts(scan.accountIds);
  if (accounts.length === 0) throw new Error('a scheduled scan needs at least one account');
  const malformed = accounts.find((id) => !isAccountId(id));
  if (malformed !== undefined) {
    throw new Error(`a scheduled scan's accounts are 12-digit ids; got "${malformed}"`);
  }
  const excluded = canonicalTags(scan.excludeTags);
  const definition: ClassificationJobInput = {
    name: scan.name,
    description: describeJob(scan.frequency, accounts, excluded.length),
    jobType: 'SCHEDULED',
    scheduleFrequency: structuredClone(SCHEDULES[scan.frequency]),
    initialRun: true,
    // ALL, not RECOMMENDED: the recommended set leaves out types the policy
    // rates (names, mailing addresses, ...) to cut noise; judging is the policy's job.
    managedDataIdentifierSelector: 'ALL',
    s3JobDefinition: {
      bucketCriteria: {
        includes: {
          and: [{ simpleCriterion: { comparator: 'EQ', key: 'ACCOUNT_ID', values: accounts } }],
        },
        ...(excluded.length === 0
          ? {}
          : {
              excludes: {
                // One condition: Macie joins the pairs of a condition with OR, and
                // separate conditions with AND (which would need every tag at once).
                and: [
                  {
                    tagCriterion: { comparator: 'EQ', tagValues: excluded.map((t) => ({ ...t })) },
                  },
                ],
              },
            }),
      },
    },
    tags: { ...JOB_TAGS },
  };
  return { ...definition, clientToken: clientTokenFor(definition) };
}

const SCHEDULES: Record<ScanFrequency, JobScheduleFrequency> = {
  daily: { dailySchedule: {} },
  weekly: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
  monthly: { monthlySchedule: { dayOfMonth: 1 } },
};

/** A job's schedule in words: `daily`, `weekly (Mondays)`, `monthly (day 1)`, `one-time`. */
export function describeSchedule(
  schedule: JobScheduleFrequency | undefined,
  jobType?: string,
): string {
  if (schedule?.dailySchedule) return 'daily';
  if (schedule?.weeklySchedule) {
    const day = schedule.weeklySchedule.dayOfWeek ?? '';
    return day ? `weekly (${day.charAt(0)}${day.slice(1).toLowerCase()}s)` : 'weekly';
  }
  if (schedule?.monthlySchedule) {
    const day = schedule.monthlySchedule.dayOfMonth;
    return day === undefined ? 'monthly' : `monthly (day ${day})`;
  }
  return jobType === 'ONE_TIME' ? 'one-time' : 'unknown';
}

/**
 * Macie answers a call from an account or region where it is off with
 * `AccessDeniedException: Macie is not enabled.`; other refusals are real
 * permission problems.
 */
export function isMacieNotEnabled(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'AccessDeniedException' && /macie is not enabled/i.test(error.message);
}

function describeJob(
  frequency: ScanFrequency,
  accounts: readonly string[],
  exclusions: number,
): string {
  const except = exclusions === 0 ? '' : ' except excluded tags';
  // Counted, not listed, for several accounts: Macie allows 200 characters, and
  // this stays under about 150 whatever the number.
  const whose = accounts.length === 1 ? `account ${accounts[0]}` : `${accounts.length} accounts`;
  return `Scans every S3 bucket of ${whose}${except} ${describeSchedule(SCHEDULES[frequency])} for bucket-classification-validator.`;
}

/** Sorted and without repeats: the order of `--exclude-tag` options does not change the job. */
function canonicalTags(tags: readonly TagPair[]): TagPair[] {
  const unique = new Map(tags.map((t) => [JSON.stringify([t.key, t.value]), t]));
  return [...unique.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, t]) => ({ key: t.key, value: t.value }));
}

/** A UUID-shaped SHA-256 digest of the definition with its keys sorted. */
function clientTokenFor(definition: ClassificationJobInput): string {
  const hex = createHash('sha256').update(canonicalJson(definition)).digest('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join('-');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
