import {
  CreateClassificationJobCommand,
  DescribeClassificationJobCommand,
  ListClassificationJobsCommand,
  type ListClassificationJobsRequest,
  type ListClassificationJobsResponse,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type ClassificationJobInput,
  DEFAULT_JOB_NAME,
  describeSchedule,
  isMacieNotEnabled,
  MacieClassificationJobs,
  type ScheduledScan,
  scheduledScanJob,
} from '../../../lib/macie-jobs';
import { awsError } from '../../support/aws-errors';

const ACCOUNT = '111122223333';
const NAME = DEFAULT_JOB_NAME;

function client(): Macie2Client {
  return new Macie2Client({ region: 'eu-west-1', maxAttempts: 1 });
}

const scan: ScheduledScan = {
  name: NAME,
  accountId: ACCOUNT,
  frequency: 'weekly',
  excludeTags: [],
};

describe('MacieClassificationJobs', () => {
  const macie = mockClient(Macie2Client);
  beforeEach(() => macie.reset());
  afterAll(() => macie.restore());

  describe('findByName', () => {
    it('asks Macie for jobs whose name contains the name, newest first', async () => {
      // Prepare
      macie.on(ListClassificationJobsCommand).resolves({ items: [] });
      const jobs = new MacieClassificationJobs(client());

      // Act
      await jobs.findByName(NAME);

      // Assess
      expect(macie.commandCalls(ListClassificationJobsCommand)[0]?.args[0].input).toEqual({
        filterCriteria: { includes: [{ key: 'name', comparator: 'CONTAINS', values: [NAME] }] },
        sortCriteria: { attributeName: 'createdAt', orderBy: 'DESC' },
      });
    });

    it('follows nextToken through every page until it finds the job', async () => {
      // Pages by the token that asks for them; the paginator reuses its input object,
      // so each request's token is recorded as it arrives.
      const pages: Record<string, ListClassificationJobsResponse> = {
        first: {
          items: [{ jobId: 'other', name: 'someone-elses-job', jobStatus: 'IDLE' }],
          nextToken: 'page-2',
        },
        'page-2': { items: [], nextToken: 'page-3' },
        'page-3': { items: [{ jobId: 'job-3', name: NAME, jobStatus: 'IDLE' }] },
      };
      const tokens: (string | undefined)[] = [];
      macie.on(ListClassificationJobsCommand).callsFake((input: ListClassificationJobsRequest) => {
        tokens.push(input.nextToken);
        return pages[input.nextToken ?? 'first'];
      });
      macie.on(DescribeClassificationJobCommand).resolves({ jobId: 'job-3', jobStatus: 'IDLE' });
      const jobs = new MacieClassificationJobs(client());

      const found = await jobs.findByName(NAME);

      expect(tokens).toEqual([undefined, 'page-2', 'page-3']);
      expect(found?.id).toBe('job-3');
    });

    it('describes the job it finds, for the schedule the list does not carry', async () => {
      const createdAt = new Date('2025-05-01T08:00:00Z');
      macie.on(ListClassificationJobsCommand).resolves({
        items: [{ jobId: 'job-1', name: NAME, jobStatus: 'IDLE', jobType: 'SCHEDULED' }],
      });
      macie.on(DescribeClassificationJobCommand).resolves({
        jobId: 'job-1',
        name: NAME,
        jobStatus: 'IDLE',
        jobType: 'SCHEDULED',
        scheduleFrequency: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
        createdAt,
        clientToken: 'token-1',
      });
      const jobs = new MacieClassificationJobs(client());

      const found = await jobs.findByName(NAME);

      expect(macie.commandCalls(DescribeClassificationJobCommand)[0]?.args[0].input).toEqual({
        jobId: 'job-1',
      });
      expect(found).toEqual({
        id: 'job-1',
        name: NAME,
        status: 'IDLE',
        jobType: 'SCHEDULED',
        schedule: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
        createdAt,
        clientToken: 'token-1',
      });
    });

    it('ignores cancelled jobs of that name', async () => {
      macie.on(ListClassificationJobsCommand).resolves({
        items: [
          { jobId: 'cancelled-newer', name: NAME, jobStatus: 'CANCELLED' },
          { jobId: 'active-older', name: NAME, jobStatus: 'USER_PAUSED' },
        ],
      });
      macie.on(DescribeClassificationJobCommand).resolves({ jobStatus: 'USER_PAUSED' });
      const jobs = new MacieClassificationJobs(client());

      const found = await jobs.findByName(NAME);

      expect(found).toMatchObject({ id: 'active-older', status: 'USER_PAUSED' });
      expect(
        macie.commandCalls(DescribeClassificationJobCommand).map((c) => c.args[0].input.jobId),
      ).toEqual(['active-older']);
    });

    it('finds nothing when every job of that name is cancelled', async () => {
      macie.on(ListClassificationJobsCommand).resolves({
        items: [{ jobId: 'gone', name: NAME, jobStatus: 'CANCELLED' }],
      });
      const jobs = new MacieClassificationJobs(client());

      await expect(jobs.findByName(NAME)).resolves.toBeUndefined();
      expect(macie.commandCalls(DescribeClassificationJobCommand)).toHaveLength(0);
    });

    it('does not take a job whose name only contains the name', async () => {
      macie.on(ListClassificationJobsCommand).resolves({
        items: [
          { jobId: 'longer', name: `${NAME}-old`, jobStatus: 'IDLE' },
          { jobId: 'cased', name: NAME.toUpperCase(), jobStatus: 'IDLE' },
        ],
      });
      const jobs = new MacieClassificationJobs(client());

      await expect(jobs.findByName(NAME)).resolves.toBeUndefined();
    });

    it('lets errors through', async () => {
      macie
        .on(ListClassificationJobsCommand)
        .rejects(awsError('AccessDeniedException', 'Macie is not enabled.'));
      const jobs = new MacieClassificationJobs(client());

      await expect(jobs.findByName(NAME)).rejects.toThrow('Macie is not enabled.');
    });
  });

  describe('create', () => {
    it('sends exactly the input it is given and returns the new job', async () => {
      const input = scheduledScanJob(scan);
      macie
        .on(CreateClassificationJobCommand)
        .resolves({ jobId: 'new-job', jobArn: `arn:aws:macie2:eu-west-1:${ACCOUNT}:job/new-job` });
      const jobs = new MacieClassificationJobs(client());

      const created = await jobs.create(input);

      const calls = macie.commandCalls(CreateClassificationJobCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.args[0].input).toEqual(input);
      expect(created).toEqual({
        id: 'new-job',
        arn: `arn:aws:macie2:eu-west-1:${ACCOUNT}:job/new-job`,
      });
    });

    it('fails when Macie answers without a job id', async () => {
      macie.on(CreateClassificationJobCommand).resolves({});
      const jobs = new MacieClassificationJobs(client());

      await expect(jobs.create(scheduledScanJob(scan))).rejects.toThrow('returned no job id');
    });
  });
});

describe('scheduledScanJob', () => {
  it('defines a scheduled job over every bucket of the account, with all managed identifiers', () => {
    // Prepare, Act
    const input = scheduledScanJob(scan);

    // Assess
    expect(input).toEqual({
      name: NAME,
      description: `Scans every S3 bucket of account ${ACCOUNT} weekly (Mondays) for bucket-classification-validator.`,
      jobType: 'SCHEDULED',
      scheduleFrequency: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
      initialRun: true,
      managedDataIdentifierSelector: 'ALL',
      s3JobDefinition: {
        bucketCriteria: {
          includes: {
            and: [{ simpleCriterion: { comparator: 'EQ', key: 'ACCOUNT_ID', values: [ACCOUNT] } }],
          },
        },
      },
      tags: { ManagedBy: 'bucket-classification-validator' },
      clientToken: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      ),
    });
  });

  it.each([
    ['daily', { dailySchedule: {} }],
    ['weekly', { weeklySchedule: { dayOfWeek: 'MONDAY' } }],
    ['monthly', { monthlySchedule: { dayOfMonth: 1 } }],
  ] as const)('runs %s on %j', (frequency, schedule) => {
    expect(scheduledScanJob({ ...scan, frequency }).scheduleFrequency).toEqual(schedule);
  });

  it('excludes buckets carrying any of the excluded tags, in one OR condition', () => {
    const input = scheduledScanJob({
      ...scan,
      excludeTags: [
        { key: 'Scan', value: 'off' },
        { key: 'Environment', value: 'sandbox' },
      ],
    });

    expect(input.s3JobDefinition?.bucketCriteria?.excludes).toEqual({
      and: [
        {
          tagCriterion: {
            comparator: 'EQ',
            tagValues: [
              { key: 'Environment', value: 'sandbox' },
              { key: 'Scan', value: 'off' },
            ],
          },
        },
      ],
    });
    expect(input.description).toContain('except excluded tags');
    expect(input.description?.length).toBeLessThanOrEqual(200);
  });

  it('keeps the description within 200 characters for the longest description', () => {
    const input = scheduledScanJob({
      ...scan,
      frequency: 'monthly',
      excludeTags: [{ key: 'k', value: 'v' }],
    });

    expect(input.description?.length).toBeLessThanOrEqual(200);
  });

  describe('client token', () => {
    const token = (input: ClassificationJobInput) => input.clientToken;

    it('is the same for the same options', () => {
      expect(token(scheduledScanJob(scan))).toBe(token(scheduledScanJob({ ...scan })));
    });

    it('does not depend on the order or repetition of excluded tags', () => {
      const a = { key: 'A', value: '1' };
      const b = { key: 'B', value: '2' };

      expect(token(scheduledScanJob({ ...scan, excludeTags: [a, b] }))).toBe(
        token(scheduledScanJob({ ...scan, excludeTags: [b, a, b] })),
      );
    });

    it.each([
      ['frequency', { frequency: 'daily' }],
      ['name', { name: 'another-scan' }],
      ['account', { accountId: '444455556666' }],
      ['excluded tags', { excludeTags: [{ key: 'Scan', value: 'off' }] }],
    ] as const)('changes with the %s', (_what, change) => {
      expect(token(scheduledScanJob({ ...scan, ...change }))).not.toBe(
        token(scheduledScanJob(scan)),
      );
    });
  });
});

describe('describeSchedule', () => {
  it.each([
    [{ dailySchedule: {} }, undefined, 'daily'],
    [{ weeklySchedule: { dayOfWeek: 'FRIDAY' as const } }, undefined, 'weekly (Fridays)'],
    [{ monthlySchedule: { dayOfMonth: 15 } }, undefined, 'monthly (day 15)'],
    [undefined, 'ONE_TIME', 'one-time'],
    [undefined, undefined, 'unknown'],
  ])('describes %j (%s) as %s', (schedule, jobType, text) => {
    expect(describeSchedule(schedule, jobType)).toBe(text);
  });
});

describe('isMacieNotEnabled', () => {
  it('recognises the refusal Macie gives where it is not enabled', () => {
    expect(isMacieNotEnabled(awsError('AccessDeniedException', 'Macie is not enabled.'))).toBe(
      true,
    );
  });

  it.each([
    [
      'a permission refusal',
      awsError('AccessDeniedException', 'User is not authorized to perform'),
    ],
    ['another error', awsError('ValidationException', 'Macie is not enabled')],
    ['a value that is not an error', 'Macie is not enabled'],
  ])('does not mistake %s for it', (_what, error) => {
    expect(isMacieNotEnabled(error)).toBe(false);
  });
});
