import { createHash } from 'node:crypto';
import {
  CreateClassificationJobCommand,
  type CreateClassificationJobRequest,
  DescribeClassificationJobCommand,
  type JobScheduleFrequency,
  Macie2Client,
  paginateListClassificationJobs,
} from '@aws-sdk/client-macie2';

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
    };
  }
}

/** Name of the job `macie schedule` creates unless told otherwise. */
export const DEFAULT_JOB_NAME = 'bucket-classification-validator-scheduled-scan';

/** Tags on the job, so that it can be told apart from jobs people made by hand. */
export const JOB_TAGS: Readonly<Record<string, string>> = {
  ManagedBy: 'bucket-classification-validator',
};

export const SCAN_FREQUENCIES = ['daily', 'weekly', 'monthly'] as const;
export type ScanFrequency = (typeof SCAN_FREQUENCIES)[number];

export interface TagPair {
  readonly key: string;
  readonly value: string;
}

export interface ScheduledScan {
  readonly name: string;
  /** The account whose buckets are scanned: the caller's. */
  readonly accountId: string;
  readonly frequency: ScanFrequency;
  /** Buckets carrying any of these tags are left out. */
  readonly excludeTags: readonly TagPair[];
}

/**
 * The `CreateClassificationJob` input of the scheduled scan: every bucket of
 * the account (bucket criteria, so buckets created later are scanned too),
 * minus buckets carrying any excluded tag; all managed data identifiers; a
 * first run at once. The client token is derived from everything else, so the
 * same options always send the same token and a retried create is answered
 * with the job the first attempt made.
 *
 * @example
 * scheduledScanJob({ name: DEFAULT_JOB_NAME, accountId: '111122223333',
 *   frequency: 'weekly', excludeTags: [{ key: 'Scan', value: 'off' }] })
 */
export function scheduledScanJob(scan: ScheduledScan): ClassificationJobInput {
  const excluded = canonicalTags(scan.excludeTags);
  const definition: ClassificationJobInput = {
    name: scan.name,
    description: describeJob(scan.frequency, scan.accountId, excluded.length),
    jobType: 'SCHEDULED',
    scheduleFrequency: structuredClone(SCHEDULES[scan.frequency]),
    initialRun: true,
    // ALL, not RECOMMENDED: the recommended set leaves out types the policy
    // rates (names, mailing addresses, ...) to cut noise; judging is the policy's job.
    managedDataIdentifierSelector: 'ALL',
    s3JobDefinition: {
      bucketCriteria: {
        includes: {
          and: [
            { simpleCriterion: { comparator: 'EQ', key: 'ACCOUNT_ID', values: [scan.accountId] } },
          ],
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

function describeJob(frequency: ScanFrequency, accountId: string, exclusions: number): string {
  const except = exclusions === 0 ? '' : ' except excluded tags';
  // At most about 150 characters; Macie allows 200.
  return `Scans every S3 bucket of account ${accountId}${except} ${describeSchedule(SCHEDULES[frequency])} for bucket-classification-validator.`;
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
