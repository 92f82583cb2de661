import { ListClassificationJobsCommand, Macie2Client } from '@aws-sdk/client-macie2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  awsAdapters,
  type MacieAws,
  type MacieScheduleFlags,
  macieScheduleOptions,
  runMacieSchedule,
} from '../../../bin/macie-command';
import {
  type ClassificationJobInput,
  DEFAULT_JOB_NAME,
  type ExistingJob,
  jobAccounts,
  type MacieMember,
  scheduledScanJob,
} from '../../../lib/macie-jobs';
import { awsError } from '../../support/aws-errors';
import { type CliRun, runCli } from '../../support/cli';
import { type ClearedEnv, clearEnv } from '../../support/env';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const NOT_ENABLED = `bucket-classification: Macie is not enabled in ${REGION}: enable it (or deploy the stack with enableMacie) and run again.\n`;

/** Settings the command reads from the environment; set per test, restored after. */
const ENV_VARIABLES = [
  'AWS_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_EC2_METADATA_DISABLED',
] as const;
let env: ClearedEnv;

beforeEach(() => {
  env = clearEnv(ENV_VARIABLES);
  // Should anything reach for AWS after all, it meets a closed local port, not the network.
  process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

afterEach(() => {
  env.restore();
});

interface FakeSetup {
  readonly account?: string | Error;
  /** What ListMembers answers (the caller's associated member accounts). */
  readonly members?: MacieMember[] | Error;
  /** Jobs Macie already has (not cancelled), by name. */
  readonly jobs?: ExistingJob[];
  readonly findError?: Error;
  readonly createError?: Error;
}

/** A stateful stand-in for Macie: a created job is found by the next run. */
class FakeMacie {
  readonly jobs: ExistingJob[];
  readonly created: ClassificationJobInput[] = [];
  readonly lookedUp: string[] = [];
  readonly regionsBuilt: string[] = [];
  membersListed = 0;
  closed = 0;

  constructor(private readonly setup: FakeSetup = {}) {
    this.jobs = [...(setup.jobs ?? [])];
  }

  readonly deps = {
    macieAws: (region: string): MacieAws => {
      this.regionsBuilt.push(region);
      return {
        callerAccountId: async () => {
          const { account = ACCOUNT } = this.setup;
          if (account instanceof Error) throw account;
          return account;
        },
        members: {
          associated: async () => {
            this.membersListed++;
            const { members = [] } = this.setup;
            if (members instanceof Error) throw members;
            return members;
          },
        },
        jobs: {
          findByName: async (name) => {
            this.lookedUp.push(name);
            if (this.setup.findError) throw this.setup.findError;
            return this.jobs.find((job) => job.name === name);
          },
          create: async (input) => {
            this.created.push(input);
            if (this.setup.createError) throw this.setup.createError;
            const id = `job-${this.created.length}`;
            this.jobs.push({
              id,
              name: input.name ?? '',
              status: 'RUNNING',
              jobType: input.jobType,
              schedule: input.scheduleFrequency,
              createdAt: new Date('2025-06-02T09:00:00Z'),
              clientToken: input.clientToken,
              accounts: jobAccounts(input.s3JobDefinition),
            });
            return { id, arn: `arn:aws:macie2:${region}:${ACCOUNT}:classification-job/${id}` };
          },
        },
        close: () => {
          this.closed++;
        },
      };
    },
  };
}

const noFlags: MacieScheduleFlags = {
  frequency: undefined,
  excludeTags: [],
  name: undefined,
  region: undefined,
  dryRun: false,
  format: 'text',
  organization: false,
  accounts: [],
};

/** Runs `macie schedule` with `flags` against `fake`; AWS_REGION is eu-west-1 unless given. */
async function schedule(
  fake: FakeMacie,
  flags: Partial<MacieScheduleFlags> = {},
  env: NodeJS.ProcessEnv = { AWS_REGION: REGION },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const options = macieScheduleOptions({ ...noFlags, ...flags }, env, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  const code = await runMacieSchedule(options, fake.deps);
  return { code, stdout, stderr };
}

interface JsonOutput {
  readonly action: 'exists' | 'conflict' | 'would-create' | 'created';
  readonly dryRun: boolean;
  readonly region: string;
  readonly scope: 'caller' | 'accounts' | 'organization';
  readonly accounts: string[];
  readonly existing: {
    id: string;
    status: string;
    schedule: unknown;
    accounts: string[] | null;
    matchesRequest: boolean;
  } | null;
  readonly created: { id: string; arn: string | null } | null;
  readonly createInput: ClassificationJobInput;
}

function jsonOf(run: CliRun): JsonOutput {
  return JSON.parse(run.stdout) as JsonOutput;
}

const existingJob: ExistingJob = {
  id: 'job-existing',
  name: DEFAULT_JOB_NAME,
  status: 'IDLE',
  jobType: 'SCHEDULED',
  schedule: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
  createdAt: new Date('2025-05-01T08:00:00Z'),
  clientToken: 'made-in-the-console',
  accounts: [ACCOUNT],
};

describe('bucket-classification macie schedule', () => {
  describe('--dry-run', () => {
    it('prints the job it would create and makes no create call', async () => {
      // Prepare
      const fake = new FakeMacie();

      // Act
      const run = await schedule(fake, { dryRun: true });

      // Assess
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(fake.created).toEqual([]);
      expect(fake.lookedUp).toEqual([DEFAULT_JOB_NAME]);
      expect(run.stdout).toContain(
        `Dry run: would create Macie classification job "${DEFAULT_JOB_NAME}" in ${REGION}; nothing was created.`,
      );
      expect(run.stdout).toContain('schedule:     daily, first run at once');
      expect(run.stdout).toContain(`every S3 bucket of account ${ACCOUNT}`);
      expect(run.stdout).toContain('identifiers:  ALL managed data identifiers');
      expect(run.stdout).toContain('tags:         ManagedBy=bucket-classification-validator');
      expect(run.stdout).toContain(
        'Only read calls were made (STS GetCallerIdentity, Macie ListClassificationJobs)',
      );
    });

    it('prints the full CreateClassificationJob input in --format json', async () => {
      const fake = new FakeMacie();

      const output = jsonOf(await schedule(fake, { dryRun: true, format: 'json' }));

      expect(output).toEqual({
        action: 'would-create',
        dryRun: true,
        region: REGION,
        scope: 'caller',
        accounts: [ACCOUNT],
        existing: null,
        created: null,
        createInput: scheduledScanJob({
          name: DEFAULT_JOB_NAME,
          accountIds: [ACCOUNT],
          frequency: 'daily',
          excludeTags: [],
        }),
      });
      expect(fake.created).toEqual([]);
    });

    it('says so when the job exists, and that a real run would change nothing', async () => {
      const fake = new FakeMacie({ jobs: [existingJob] });

      const run = await schedule(fake, { dryRun: true });

      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `Dry run: Macie classification job "${DEFAULT_JOB_NAME}" already exists in ${REGION}: id job-existing, status IDLE, schedule weekly (Mondays).`,
      );
      expect(run.stdout).toContain('A real run would change nothing.');
      expect(fake.created).toEqual([]);
    });
  });

  describe('a real run', () => {
    it('creates the job once, exactly as a dry run prints it', async () => {
      const fake = new FakeMacie();
      const dryRun = jsonOf(await schedule(new FakeMacie(), { dryRun: true, format: 'json' }));

      const run = await schedule(fake, { format: 'json' });

      expect(run.code).toBe(0);
      expect(fake.created).toEqual([dryRun.createInput]);
      expect(jsonOf(run)).toMatchObject({
        action: 'created',
        dryRun: false,
        existing: null,
        created: {
          id: 'job-1',
          arn: `arn:aws:macie2:${REGION}:${ACCOUNT}:classification-job/job-1`,
        },
      });
    });

    it('says what it created', async () => {
      const fake = new FakeMacie();

      const run = await schedule(fake, { frequency: 'monthly', excludeTags: ['Scan=off'] });

      expect(run.stdout).toContain(
        `Created Macie classification job "${DEFAULT_JOB_NAME}" in ${REGION}: id job-1.`,
      );
      expect(run.stdout).toContain('schedule:     monthly (day 1), first run at once');
      expect(run.stdout).toContain('excluding:    buckets tagged Scan=off');
    });

    it('changes nothing on a second run, and says so', async () => {
      const fake = new FakeMacie();
      await schedule(fake);

      const second = await schedule(fake);

      expect(second.code).toBe(0);
      expect(fake.created).toHaveLength(1);
      expect(second.stdout).toBe(
        `Macie classification job "${DEFAULT_JOB_NAME}" already exists in ${REGION}: id job-1, status RUNNING, schedule daily.\n` +
          `  accounts:     account ${ACCOUNT}\nNothing changed.\n`,
      );
    });

    it('leaves a job of that name alone even when its options differ, and says how to replace it', async () => {
      const fake = new FakeMacie({ jobs: [existingJob] });

      const run = await schedule(fake, { frequency: 'daily' });

      expect(fake.created).toEqual([]);
      expect(run.stdout).toContain('Nothing changed.');
      expect(run.stdout).toContain('note: it was not created by this command with these options.');
      expect(run.stdout).toContain(
        'aws macie2 update-classification-job --job-id job-existing --job-status CANCELLED',
      );
    });

    it('reports the existing job in --format json, with whether it matches the options', async () => {
      const fake = new FakeMacie({ jobs: [existingJob] });

      const output = jsonOf(await schedule(fake, { format: 'json' }));

      expect(output.action).toBe('exists');
      expect(output.created).toBeNull();
      expect(output.existing).toEqual({
        id: 'job-existing',
        name: DEFAULT_JOB_NAME,
        status: 'IDLE',
        jobType: 'SCHEDULED',
        schedule: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
        createdAt: '2025-05-01T08:00:00.000Z',
        accounts: [ACCOUNT],
        matchesRequest: false,
      });
    });

    it('closes its clients', async () => {
      const fake = new FakeMacie();

      await schedule(fake);

      expect(fake.closed).toBe(1);
    });
  });

  describe('the job it defines', () => {
    async function createdInput(
      flags: Partial<MacieScheduleFlags>,
    ): Promise<ClassificationJobInput> {
      const fake = new FakeMacie();
      await schedule(fake, flags);
      const [input, ...more] = fake.created;
      expect(more).toEqual([]);
      if (input === undefined) throw new Error('no job was created');
      return input;
    }

    it.each([
      ['daily', { dailySchedule: {} }],
      ['weekly', { weeklySchedule: { dayOfWeek: 'MONDAY' } }],
      ['monthly', { monthlySchedule: { dayOfMonth: 1 } }],
    ])('--frequency %s runs the job on %j', async (frequency, expected) => {
      const input = await createdInput({ frequency });

      expect(input.jobType).toBe('SCHEDULED');
      expect(input.scheduleFrequency).toEqual(expected);
    });

    it('runs daily without --frequency', async () => {
      const input = await createdInput({});

      expect(input.scheduleFrequency).toEqual({ dailySchedule: {} });
    });

    it('covers every bucket of the caller account, with no excludes by default', async () => {
      const input = await createdInput({});

      expect(input.s3JobDefinition).toEqual({
        bucketCriteria: {
          includes: {
            and: [{ simpleCriterion: { comparator: 'EQ', key: 'ACCOUNT_ID', values: [ACCOUNT] } }],
          },
        },
      });
    });

    it('builds the excludes from every --exclude-tag', async () => {
      const input = await createdInput({
        excludeTags: ['Scan=off', 'Environment=sandbox', 'Owner=a=b'],
      });

      expect(input.s3JobDefinition?.bucketCriteria?.excludes).toEqual({
        and: [
          {
            tagCriterion: {
              comparator: 'EQ',
              tagValues: [
                { key: 'Environment', value: 'sandbox' },
                { key: 'Owner', value: 'a=b' },
                { key: 'Scan', value: 'off' },
              ],
            },
          },
        ],
      });
    });

    it('names the job --name and looks for it by that name', async () => {
      const fake = new FakeMacie();

      await schedule(fake, { name: 'nightly-scan' });

      expect(fake.lookedUp).toEqual(['nightly-scan']);
      expect(fake.created[0]?.name).toBe('nightly-scan');
    });

    it('sends the same client token for the same options', async () => {
      const flags = { frequency: 'weekly', excludeTags: ['Scan=off'] };

      const first = await createdInput(flags);
      const second = await createdInput({ ...flags, excludeTags: ['Scan=off', 'Scan=off'] });

      expect(first.clientToken).toBeDefined();
      expect(second.clientToken).toBe(first.clientToken);
    });

    it.each([
      ['--frequency', { frequency: 'monthly' }],
      ['--exclude-tag', { excludeTags: ['Scan=on'] }],
      ['--name', { name: 'other-scan' }],
    ])('sends another client token when %s changes', async (_flag, change) => {
      const flags = { frequency: 'weekly', excludeTags: ['Scan=off'] };

      const first = await createdInput(flags);
      const changed = await createdInput({ ...flags, ...change });

      expect(changed.clientToken).not.toBe(first.clientToken);
    });

    it('works in the region of --region over AWS_REGION', async () => {
      const fake = new FakeMacie();

      await schedule(fake, { region: 'us-east-2' }, { AWS_REGION: REGION });

      expect(fake.regionsBuilt).toEqual(['us-east-2']);
    });

    it('works in AWS_REGION without --region', async () => {
      const fake = new FakeMacie();

      await schedule(fake, {}, { AWS_REGION: 'ap-southeast-2' });

      expect(fake.regionsBuilt).toEqual(['ap-southeast-2']);
    });
  });

  describe('--accounts', () => {
    it('covers exactly those accounts, sorted and once each, without asking for members', async () => {
      const fake = new FakeMacie();

      const output = jsonOf(
        await schedule(fake, {
          accounts: ['777788889999, 444455556666', '444455556666'],
          format: 'json',
        }),
      );

      expect(fake.membersListed).toBe(0);
      expect(output.scope).toBe('accounts');
      expect(output.accounts).toEqual(['444455556666', '777788889999']);
      expect(fake.created[0]?.s3JobDefinition?.bucketCriteria?.includes).toEqual({
        and: [
          {
            simpleCriterion: {
              comparator: 'EQ',
              key: 'ACCOUNT_ID',
              values: ['444455556666', '777788889999'],
            },
          },
        ],
      });
    });

    it('lists the accounts in a dry run', async () => {
      const fake = new FakeMacie();

      const run = await schedule(fake, {
        accounts: ['444455556666,777788889999'],
        dryRun: true,
      });

      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        '  buckets:      every S3 bucket of 2 accounts, including buckets created later\n' +
          '  accounts:     444455556666, 777788889999\n',
      );
      expect(fake.created).toEqual([]);
    });

    it('makes the same job as the default when it names only the caller account', async () => {
      const byDefault = jsonOf(await schedule(new FakeMacie(), { dryRun: true, format: 'json' }));

      const named = jsonOf(
        await schedule(new FakeMacie(), { accounts: [ACCOUNT], dryRun: true, format: 'json' }),
      );

      expect(named.createInput).toEqual(byDefault.createInput);
    });
  });

  describe('--organization', () => {
    const MEMBERS: MacieMember[] = [
      { accountId: '777788889999', relationshipStatus: 'Enabled' },
      { accountId: '444455556666', relationshipStatus: 'Enabled' },
      { accountId: '222233334444', relationshipStatus: 'Paused' },
    ];

    it('covers the enabled members and the administrator account', async () => {
      const fake = new FakeMacie({ members: MEMBERS });

      const output = jsonOf(await schedule(fake, { organization: true, format: 'json' }));

      expect(fake.membersListed).toBe(1);
      expect(output).toMatchObject({
        action: 'created',
        scope: 'organization',
        accounts: [ACCOUNT, '444455556666', '777788889999'],
      });
      expect(
        fake.created[0]?.s3JobDefinition?.bucketCriteria?.includes?.and?.[0]?.simpleCriterion
          ?.values,
      ).toEqual([ACCOUNT, '444455556666', '777788889999']);
      expect(fake.created[0]?.description).toBe(
        'Scans every S3 bucket of 3 accounts daily for bucket-classification-validator.',
      );
    });

    it('shows the accounts and the calls it made in a dry run', async () => {
      const fake = new FakeMacie({ members: MEMBERS });

      const run = await schedule(fake, { organization: true, dryRun: true });

      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`  accounts:     ${ACCOUNT}, 444455556666, 777788889999\n`);
      expect(run.stdout).toContain(
        'Only read calls were made (STS GetCallerIdentity, Macie ListMembers and ListClassificationJobs)',
      );
      expect(fake.created).toEqual([]);
    });

    it('covers only the --accounts among the members', async () => {
      const fake = new FakeMacie({ members: MEMBERS });

      const output = jsonOf(
        await schedule(fake, { organization: true, accounts: ['777788889999'], format: 'json' }),
      );

      expect(output.accounts).toEqual(['777788889999']);
      expect(output.scope).toBe('organization');
    });

    it('refuses --accounts naming a member that is not enabled, and creates nothing', async () => {
      const fake = new FakeMacie({ members: MEMBERS });

      const run = await schedule(fake, {
        organization: true,
        accounts: ['777788889999,222233334444'],
      });

      expect(run).toEqual({
        code: 2,
        stdout: '',
        stderr:
          `bucket-classification: macie schedule --organization in ${REGION}: --accounts names an account ` +
          `that is not an enabled Macie member of administrator ${ACCOUNT}: 222233334444 (Paused)\n`,
      });
      expect(fake.lookedUp).toEqual([]);
      expect(fake.created).toEqual([]);
    });

    it('refuses an account without enabled members: most likely not the administrator', async () => {
      const fake = new FakeMacie({ members: [] });

      const run = await schedule(fake, { organization: true });

      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `bucket-classification: macie schedule --organization in ${REGION}: account ${ACCOUNT} has no ` +
          'enabled Macie member accounts: run it with the credentials of the Macie administrator account ' +
          'of the organisation, or without --organization to scan this account only\n',
      );
      expect(fake.created).toEqual([]);
    });

    it('names ListMembers and the administrator when Macie refuses the list', async () => {
      const fake = new FakeMacie({
        members: awsError(
          'AccessDeniedException',
          'User is not authorized to perform: macie2:ListMembers',
        ),
      });

      const run = await schedule(fake, { organization: true, dryRun: true });

      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `bucket-classification: macie schedule: could not list the Macie member accounts (ListMembers) of account ${ACCOUNT}; ` +
          '--organization runs with the credentials of the Macie administrator account: ' +
          'AccessDeniedException: User is not authorized to perform: macie2:ListMembers\n',
      );
      expect(fake.created).toEqual([]);
    });

    it('says Macie is not enabled when ListMembers is refused for that', async () => {
      const fake = new FakeMacie({
        members: awsError('AccessDeniedException', 'Macie is not enabled.'),
      });

      const run = await schedule(fake, { organization: true });

      expect(run).toEqual({ code: 2, stdout: '', stderr: NOT_ENABLED });
    });

    it('leaves a job of that name with the same accounts alone', async () => {
      const fake = new FakeMacie({ members: MEMBERS });
      await schedule(fake, { organization: true });

      const second = await schedule(fake, { organization: true });

      expect(second.code).toBe(0);
      expect(fake.created).toHaveLength(1);
      expect(second.stdout).toContain(
        `  accounts:     3 accounts: ${ACCOUNT}, 444455556666, 777788889999\nNothing changed.\n`,
      );
    });
  });

  describe('a job of that name covering other accounts (exit 1, nothing created)', () => {
    it('says which accounts differ and what to do', async () => {
      const fake = new FakeMacie({
        members: [{ accountId: '444455556666', relationshipStatus: 'Enabled' }],
      });
      await schedule(fake);

      const run = await schedule(fake, { organization: true });

      expect(run.code).toBe(1);
      expect(run.stderr).toBe('');
      expect(fake.created).toHaveLength(1);
      expect(run.stdout).toBe(
        `Macie classification job "${DEFAULT_JOB_NAME}" already exists in ${REGION} and covers other accounts: ` +
          'id job-1, status RUNNING, schedule daily.\n' +
          `  it covers:    account ${ACCOUNT}\n` +
          `  asked for:    2 accounts: ${ACCOUNT}, 444455556666\n` +
          '  not covered:  444455556666\n' +
          'Nothing was created. Macie jobs cannot be changed: run again with another --name, or cancel the old job ' +
          '(aws macie2 update-classification-job --job-id job-1 --job-status CANCELLED) and run this command again.\n',
      );
    });

    it('names accounts the old job covers that were not asked for', async () => {
      const fake = new FakeMacie({
        jobs: [{ ...existingJob, accounts: [ACCOUNT, '444455556666'] }],
      });

      const run = await schedule(fake, { dryRun: true });

      expect(run.code).toBe(1);
      expect(run.stdout).toContain('Dry run: Macie classification job');
      expect(run.stdout).toContain('  not asked:    444455556666\n');
      expect(run.stdout).not.toContain('not covered');
    });

    it('treats a job whose accounts it cannot read as covering other accounts', async () => {
      const fake = new FakeMacie({ jobs: [{ ...existingJob, accounts: undefined }] });

      const run = await schedule(fake);

      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        '  it covers:    buckets not chosen by account id alone (no single ACCOUNT_ID condition)\n',
      );
      expect(fake.created).toEqual([]);
    });

    it('keeps the account values of a job made elsewhere inert', async () => {
      const fake = new FakeMacie({
        jobs: [{ ...existingJob, accounts: ['444455556666\u001b[2J\nforged line'] }],
      });

      const run = await schedule(fake);

      expect(run.code).toBe(1);
      expect(run.stdout).toContain('  it covers:    account 444455556666?[2J?forged line\n');
      expect(run.stdout).toContain('  not asked:    444455556666?[2J?forged line\n');
    });

    it('reports the conflict in --format json with both lists', async () => {
      const fake = new FakeMacie({ jobs: [{ ...existingJob, accounts: ['444455556666'] }] });

      const run = await schedule(fake, { format: 'json' });

      expect(run.code).toBe(1);
      expect(jsonOf(run)).toMatchObject({
        action: 'conflict',
        scope: 'caller',
        accounts: [ACCOUNT],
        existing: { id: 'job-existing', accounts: ['444455556666'], matchesRequest: false },
        created: null,
      });
    });
  });

  describe('AWS errors (exit 2, nothing on stdout)', () => {
    it('says Macie is not enabled in the region when listing is refused for that', async () => {
      const fake = new FakeMacie({
        findError: awsError('AccessDeniedException', 'Macie is not enabled.'),
      });

      const run = await schedule(fake);

      expect(run).toEqual({ code: 2, stdout: '', stderr: NOT_ENABLED });
      expect(fake.created).toEqual([]);
      expect(fake.closed).toBe(1);
    });

    it('says Macie is not enabled when only the create is refused for that', async () => {
      const fake = new FakeMacie({
        createError: awsError('AccessDeniedException', 'Macie is not enabled.'),
      });

      const run = await schedule(fake);

      expect(run).toEqual({ code: 2, stdout: '', stderr: NOT_ENABLED });
    });

    it('names the call and the error for a permission refusal', async () => {
      const fake = new FakeMacie({
        findError: awsError(
          'AccessDeniedException',
          'User is not authorized to perform: macie2:ListClassificationJobs',
        ),
      });

      const run = await schedule(fake);

      expect(run).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'bucket-classification: macie schedule: could not list the classification jobs (ListClassificationJobs): ' +
          'AccessDeniedException: User is not authorized to perform: macie2:ListClassificationJobs\n',
      });
    });

    it('names the call and the error when the create fails', async () => {
      const fake = new FakeMacie({
        createError: awsError('ServiceQuotaExceededException', 'Too many jobs'),
      });

      const run = await schedule(fake);

      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        'bucket-classification: macie schedule: could not create the job (CreateClassificationJob): ' +
          'ServiceQuotaExceededException: Too many jobs\n',
      );
    });

    it('names the call when the account cannot be looked up', async () => {
      const fake = new FakeMacie({
        account: awsError(
          'ExpiredTokenException',
          'The security token included in the request is expired',
        ),
      });

      const run = await schedule(fake, { dryRun: true });

      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        "could not look up the caller's account (STS GetCallerIdentity): ExpiredTokenException",
      );
      expect(fake.lookedUp).toEqual([]);
    });
  });

  describe('usage errors (exit 2, no AWS call)', () => {
    async function usage(...args: string[]): Promise<CliRun> {
      process.env.AWS_REGION = REGION;
      const run = await runCli('macie', ...args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      return run;
    }

    it.each([
      ['without =', 'Scan', 'got "Scan"'],
      ['with an empty key', '=off', 'got "=off"'],
      ['with an empty value', 'Scan=', 'got "Scan="'],
    ])('rejects an --exclude-tag %s', async (_what, tag, detail) => {
      const { stderr } = await usage('schedule', '--exclude-tag', tag);

      expect(stderr).toContain('--exclude-tag takes KEY=VALUE with a non-empty key and value');
      expect(stderr).toContain(detail);
    });

    it('rejects an unknown frequency', async () => {
      const { stderr } = await usage('schedule', '--frequency', 'hourly');

      expect(stderr).toContain('--frequency must be one of daily, weekly, monthly; got "hourly"');
    });

    it('rejects an unknown format', async () => {
      const { stderr } = await usage('schedule', '--format', 'csv');

      expect(stderr).toContain('--format must be one of text, json; got "csv"');
    });

    it('rejects an empty --name', async () => {
      const { stderr } = await usage('schedule', '--name', '');

      expect(stderr).toContain('--name must be 1 to 500 characters');
    });

    it.each([
      ['an 11-digit id', '11112222333'],
      ['a 13-digit id', '1111222233334'],
      ['a name', 'production'],
      ['an empty entry', ''],
    ])('rejects --accounts with %s', async (_what, id) => {
      const { stderr } = await usage('schedule', '--accounts', `111122223333,${id}`);

      expect(stderr).toContain(
        `--accounts takes 12-digit AWS account ids separated by commas; got "${id}"`,
      );
    });

    it('rejects an empty --accounts', async () => {
      const { stderr } = await usage('schedule', '--organization', '--accounts', '');

      expect(stderr).toContain(
        '--accounts takes 12-digit AWS account ids separated by commas; got ""',
      );
    });

    it('needs a region', async () => {
      delete process.env.AWS_REGION;

      const run = await runCli('macie', 'schedule', '--dry-run');

      expect(run.code).toBe(2);
      expect(run.stderr).toContain('macie schedule needs --region REGION or AWS_REGION');
    });

    it.each([
      [[], 'macie needs a subcommand: schedule'],
      [['create'], 'unknown macie subcommand "create" (expected schedule)'],
      [['schedule', 'now'], 'macie schedule takes no arguments besides its options; got "now"'],
      [['schedule', '--bucket', 'x'], "Unknown option '--bucket'"],
    ])('rejects macie %j', async (args, message) => {
      const { stderr } = await usage(...args);

      expect(stderr).toContain(message);
      expect(stderr).toContain('Run "bucket-classification --help" for usage.');
    });
  });

  it('is listed in --help', async () => {
    const { stdout } = await runCli('--help');

    expect(stdout).toContain(
      'bucket-classification macie schedule [--frequency daily|weekly|monthly] [--exclude-tag KEY=VALUE]...',
    );
    expect(stdout).toContain('[--organization] [--accounts ID,...]');
  });
});

describe('macieScheduleOptions', () => {
  const io = { stdout: () => undefined, stderr: () => undefined };
  const parse = (flags: Partial<MacieScheduleFlags>) =>
    macieScheduleOptions({ ...noFlags, ...flags }, { AWS_REGION: REGION }, io);

  it('has no --accounts and no --organization by default', () => {
    expect(parse({})).toMatchObject({ organization: false, accounts: undefined });
  });

  it('joins every --accounts, trims the ids, sorts them and drops repeats', () => {
    expect(
      parse({ organization: true, accounts: [' 777788889999 ,111122223333', '777788889999'] }),
    ).toMatchObject({ organization: true, accounts: ['111122223333', '777788889999'] });
  });

  it.each(['111122223333,', ',111122223333', '111122223333,,444455556666'])(
    'rejects the empty entry in %j',
    (accounts) => {
      expect(() => parse({ accounts: [accounts] })).toThrow(
        '--accounts takes 12-digit AWS account ids separated by commas; got ""',
      );
    },
  );
});

describe('awsAdapters', () => {
  const macie = mockClient(Macie2Client);
  const sts = mockClient(STSClient);
  beforeEach(() => {
    macie.reset();
    sts.reset();
  });
  afterAll(() => {
    macie.restore();
    sts.restore();
  });

  it("reads the caller's account from STS and the jobs from Macie", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    macie.on(ListClassificationJobsCommand).resolves({ items: [] });
    const aws = awsAdapters(REGION);

    try {
      await expect(aws.callerAccountId()).resolves.toBe(ACCOUNT);
      await expect(aws.jobs.findByName(DEFAULT_JOB_NAME)).resolves.toBeUndefined();
    } finally {
      aws.close();
    }
    expect(macie.commandCalls(ListClassificationJobsCommand)).toHaveLength(1);
  });

  it('fails when STS names no account', async () => {
    sts.on(GetCallerIdentityCommand).resolves({});
    const aws = awsAdapters(REGION);

    try {
      await expect(aws.callerAccountId()).rejects.toThrow('GetCallerIdentity returned no account');
    } finally {
      aws.close();
    }
  });
});
