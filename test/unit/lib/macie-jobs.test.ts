import {
  CreateClassificationJobCommand,
  DescribeClassificationJobCommand,
  ListClassificationJobsCommand,
  type ListClassificationJobsRequest,
  type ListClassificationJobsResponse,
  ListMembersCommand,
  type ListMembersRequest,
  type ListMembersResponse,
  Macie2Client,
  type S3JobDefinition,
} from '@aws-sdk/client-macie2';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type ClassificationJobInput,
  DEFAULT_JOB_NAME,
  describeSchedule,
  isAccountId,
  isMacieNotEnabled,
  jobAccounts,
  MacieClassificationJobs,
  type MacieMember,
  MacieMembers,
  organizationScope,
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
  accountIds: [ACCOUNT],
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
        s3JobDefinition: {
          bucketCriteria: {
            includes: {
              and: [
                {
                  simpleCriterion: {
                    comparator: 'EQ',
                    key: 'ACCOUNT_ID',
                    values: ['444455556666', ACCOUNT],
                  },
                },
              ],
            },
          },
        },
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
        accounts: [ACCOUNT, '444455556666'],
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

describe('MacieMembers', () => {
  const macie = mockClient(Macie2Client);
  beforeEach(() => macie.reset());
  afterAll(() => macie.restore());

  it('asks Macie for the associated accounts only', async () => {
    macie.on(ListMembersCommand).resolves({ members: [] });
    const members = new MacieMembers(client());

    await members.associated();

    expect(macie.commandCalls(ListMembersCommand)[0]?.args[0].input).toEqual({
      onlyAssociated: 'true',
    });
  });

  it('follows nextToken through every page and keeps each account with its status', async () => {
    const pages: Record<string, ListMembersResponse> = {
      first: {
        members: [{ accountId: '444455556666', relationshipStatus: 'Enabled' }],
        nextToken: 'page-2',
      },
      'page-2': { members: [], nextToken: 'page-3' },
      'page-3': {
        members: [
          { accountId: '777788889999', relationshipStatus: 'Paused' },
          { accountId: '222233334444' },
        ],
      },
    };
    const tokens: (string | undefined)[] = [];
    macie.on(ListMembersCommand).callsFake((input: ListMembersRequest) => {
      tokens.push(input.nextToken);
      return pages[input.nextToken ?? 'first'];
    });
    const members = new MacieMembers(client());

    const found = await members.associated();

    expect(tokens).toEqual([undefined, 'page-2', 'page-3']);
    expect(found).toEqual([
      { accountId: '444455556666', relationshipStatus: 'Enabled' },
      { accountId: '777788889999', relationshipStatus: 'Paused' },
      { accountId: '222233334444', relationshipStatus: 'unknown' },
    ]);
  });

  it('fails on a member without an account id rather than drop it', async () => {
    macie.on(ListMembersCommand).resolves({ members: [{ relationshipStatus: 'Enabled' }] });
    const members = new MacieMembers(client());

    await expect(members.associated()).rejects.toThrow(
      'ListMembers returned a member without accountId',
    );
  });

  it('lets errors through', async () => {
    macie
      .on(ListMembersCommand)
      .rejects(awsError('AccessDeniedException', 'not an administrator account'));
    const members = new MacieMembers(client());

    await expect(members.associated()).rejects.toThrow('not an administrator account');
  });
});

describe('organizationScope', () => {
  const ADMIN = '111122223333';
  const enabled = (accountId: string): MacieMember => ({
    accountId,
    relationshipStatus: 'Enabled',
  });

  it('covers the administrator and every enabled member, sorted', () => {
    const scope = organizationScope(ADMIN, [enabled('999988887777'), enabled('000011112222')]);

    expect(scope).toEqual({ ok: true, accounts: ['000011112222', ADMIN, '999988887777'] });
  });

  it.each(['Paused', 'Invited', 'Created', 'Removed', 'Resigned', 'EmailVerificationInProgress'])(
    'leaves out a member whose status is %s',
    (relationshipStatus) => {
      const scope = organizationScope(ADMIN, [
        enabled('444455556666'),
        { accountId: '777788889999', relationshipStatus },
      ]);

      expect(scope).toEqual({ ok: true, accounts: [ADMIN, '444455556666'] });
    },
  );

  it('refuses an administrator without members, naming the account and what to do', () => {
    expect(organizationScope(ADMIN, [])).toEqual({
      ok: false,
      problem:
        'account 111122223333 has no enabled Macie member accounts: run it with the credentials ' +
        'of the Macie administrator account of the organisation, or without --organization to scan this account only',
    });
  });

  it('refuses when no member is enabled, and counts them by status', () => {
    const scope = organizationScope(ADMIN, [
      { accountId: '444455556666', relationshipStatus: 'Paused' },
      { accountId: '777788889999', relationshipStatus: 'Paused' },
      { accountId: '222233334444', relationshipStatus: 'Invited' },
    ]);

    expect(scope).toEqual({
      ok: false,
      problem: expect.stringContaining(
        'account 111122223333 has no enabled Macie member accounts (1 Invited, 2 Paused): ',
      ),
    });
  });

  describe('with --accounts', () => {
    const members = [
      enabled('444455556666'),
      enabled('777788889999'),
      { accountId: '222233334444', relationshipStatus: 'Paused' },
    ];

    it('covers exactly the accounts asked for, the administrator among them if asked', () => {
      expect(organizationScope(ADMIN, members, ['777788889999', ADMIN, '777788889999'])).toEqual({
        ok: true,
        accounts: [ADMIN, '777788889999'],
      });
    });

    it('refuses an account that is not a member, naming it', () => {
      expect(organizationScope(ADMIN, members, ['444455556666', '555555555555'])).toEqual({
        ok: false,
        problem:
          '--accounts names an account that is not an enabled Macie member of administrator 111122223333: 555555555555',
      });
    });

    it('refuses a member that is not enabled, naming it with its status', () => {
      expect(organizationScope(ADMIN, members, ['222233334444', '555555555555'])).toEqual({
        ok: false,
        problem:
          '--accounts names 2 accounts that are not enabled Macie members of administrator 111122223333: ' +
          '222233334444 (Paused), 555555555555',
      });
    });

    const strangers = (count: number) =>
      Array.from({ length: count }, (_, i) => `5000000000${String(i).padStart(2, '0')}`);

    it('names all of 10 accounts that are not members', () => {
      const scope = organizationScope(ADMIN, members, strangers(10));

      expect(scope.ok).toBe(false);
      expect(!scope.ok && scope.problem).toMatch(/: 500000000000, .*, 500000000009$/);
    });

    it('names the first 10 of 11, then how many more', () => {
      const scope = organizationScope(ADMIN, members, strangers(11));

      expect(!scope.ok && scope.problem).toMatch(/, 500000000009 and 1 more$/);
    });
  });
});

describe('jobAccounts', () => {
  const onAccounts = (comparator: 'EQ' | 'NE', values: string[]) => ({
    simpleCriterion: { comparator, key: 'ACCOUNT_ID' as const, values },
  });

  it('reads back the accounts of a job this command defines', () => {
    const input = scheduledScanJob({
      ...scan,
      accountIds: ['444455556666', ACCOUNT],
      excludeTags: [{ key: 'Scan', value: 'off' }],
    });

    expect(jobAccounts(input.s3JobDefinition)).toEqual([ACCOUNT, '444455556666']);
  });

  it.each<[string, S3JobDefinition | undefined]>([
    ['no definition', undefined],
    ['a fixed bucket list', { bucketDefinitions: [{ accountId: ACCOUNT, buckets: ['b'] }] }],
    ['no account condition', { bucketCriteria: { includes: { and: [] } } }],
    [
      'an account NE condition',
      { bucketCriteria: { includes: { and: [onAccounts('NE', [ACCOUNT])] } } },
    ],
    [
      'two account conditions',
      {
        bucketCriteria: {
          includes: { and: [onAccounts('EQ', [ACCOUNT]), onAccounts('EQ', ['444455556666'])] },
        },
      },
    ],
    [
      'an excluded account',
      {
        bucketCriteria: {
          includes: { and: [onAccounts('EQ', [ACCOUNT])] },
          excludes: { and: [onAccounts('EQ', ['444455556666'])] },
        },
      },
    ],
  ])('gives undefined for %s', (_what, definition) => {
    expect(jobAccounts(definition)).toBeUndefined();
  });
});

describe('isAccountId', () => {
  it.each([
    ['111122223333', true],
    ['000000000000', true],
    ['11112222333', false],
    ['1111222233334', false],
    ['11112222333a', false],
    [' 111122223333', false],
    ['', false],
  ])('%j is an account id: %s', (text, expected) => {
    expect(isAccountId(text)).toBe(expected);
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

  describe('several accounts', () => {
    it('puts them, sorted and once each, in one ACCOUNT_ID condition, which Macie joins with OR', () => {
      const input = scheduledScanJob({
        ...scan,
        accountIds: ['777788889999', ACCOUNT, '444455556666', ACCOUNT],
      });

      expect(input.s3JobDefinition?.bucketCriteria?.includes).toEqual({
        and: [
          {
            simpleCriterion: {
              comparator: 'EQ',
              key: 'ACCOUNT_ID',
              values: [ACCOUNT, '444455556666', '777788889999'],
            },
          },
        ],
      });
      expect(input.description).toBe(
        'Scans every S3 bucket of 3 accounts weekly (Mondays) for bucket-classification-validator.',
      );
    });

    it('keeps the description within 200 characters for 10,000 accounts', () => {
      const accountIds = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(12, '0'));

      const input = scheduledScanJob({
        ...scan,
        accountIds,
        frequency: 'monthly',
        excludeTags: [{ key: 'k', value: 'v' }],
      });

      expect(input.description).toBe(
        'Scans every S3 bucket of 10000 accounts except excluded tags monthly (day 1) for bucket-classification-validator.',
      );
      expect(
        input.s3JobDefinition?.bucketCriteria?.includes?.and?.[0]?.simpleCriterion?.values,
      ).toHaveLength(10_000);
    });

    it('refuses to define a job without an account, which would scan every account Macie sees', () => {
      expect(() => scheduledScanJob({ ...scan, accountIds: [] })).toThrow(
        'a scheduled scan needs at least one account',
      );
    });

    it.each(['11112222333', '1111222233334', 'all'])('refuses the account id %j', (id) => {
      expect(() => scheduledScanJob({ ...scan, accountIds: [ACCOUNT, id] })).toThrow(
        `a scheduled scan's accounts are 12-digit ids; got "${id}"`,
      );
    });
  });

  describe('client token', () => {
    const token = (input: ClassificationJobInput) => input.clientToken;

    it('is the same for the same options', () => {
      expect(token(scheduledScanJob(scan))).toBe(token(scheduledScanJob({ ...scan })));
    });

    it('does not depend on the order or repetition of accounts', () => {
      expect(token(scheduledScanJob({ ...scan, accountIds: [ACCOUNT, '444455556666'] }))).toBe(
        token(scheduledScanJob({ ...scan, accountIds: ['444455556666', ACCOUNT, ACCOUNT] })),
      );
    });

    it('changes when an account is added', () => {
      expect(token(scheduledScanJob({ ...scan, accountIds: [ACCOUNT, '444455556666'] }))).not.toBe(
        token(scheduledScanJob(scan)),
      );
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
      ['account', { accountIds: ['444455556666'] }],
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
