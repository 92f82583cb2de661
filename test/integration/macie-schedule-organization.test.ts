/**
 * `macie schedule --organization` against moto: a Macie administrator account with
 * member accounts made the way Macie makes them (the administrator invites, each
 * member accepts), the caller's account from STS, the members from Macie ListMembers.
 *
 * moto 5.2 implements Macie's member calls (CreateInvitations, AcceptInvitation,
 * ListMembers, DisassociateMember) but not its classification-job calls
 * (ListClassificationJobs, DescribeClassificationJob, CreateClassificationJob).
 * Those three go to aws-sdk-client-mock on a Macie client of their own, a small
 * stand-in that keeps the jobs it is sent and lists and describes them back; every
 * other call reaches moto through real SDK clients. Two moto quirks shape the setup:
 * an account's credentials come from STS AssumeRole into a role ARN of that account
 * (moto keeps each account's resources apart), and the invitation ids are listed by
 * the administrator (moto keeps them with the sender, not the invited account). And
 * moto writes Macie's timestamps without a zone, which the SDK refuses to read: the
 * test's Macie clients append the `Z` that Macie writes before the SDK reads a
 * response (a member list with no members has no timestamp, so the CLI's own client
 * needs no such help).
 *
 * Each run uses account ids of its own, so other test files sharing the server see
 * none of it.
 */
import { randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AcceptInvitationCommand,
  CreateClassificationJobCommand,
  type CreateClassificationJobRequest,
  CreateInvitationsCommand,
  DescribeClassificationJobCommand,
  DisassociateMemberCommand,
  type JobSummary,
  ListClassificationJobsCommand,
  ListInvitationsCommand,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type MacieAws,
  type MacieScheduleFlags,
  macieScheduleOptions,
  runMacieSchedule,
} from '../../bin/macie-command';
import { DEFAULT_JOB_NAME, MacieClassificationJobs, MacieMembers } from '../../lib/macie-jobs';
import { StsCallerAccount } from '../../lib/sts-caller-account';
import { type CliRun, runCli } from '../support/cli';
import { motoAccountId } from '../support/moto-server';

const REGION = process.env.AWS_REGION ?? 'us-east-1';

/** A 12-digit id no other test file uses: 9 and eleven random digits. */
function accountId(): string {
  return `9${String(randomInt(0, 10 ** 11)).padStart(11, '0')}`;
}

const ADMIN = accountId();
const MEMBER_A = accountId();
const MEMBER_B = accountId();
/** Invited, never accepted: not a member. */
const INVITED = accountId();

/** What an SDK client takes as `credentials`. */
interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const sts = new STSClient({});
const clients: Array<{ destroy(): void }> = [sts];

/** Credentials that moto takes as `account`'s. */
async function credentialsOf(account: string): Promise<Credentials> {
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/macie-schedule-test`,
      RoleSessionName: 'macie-schedule-test',
    }),
  );
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
    throw new Error(`moto returned no credentials for ${account}`);
  }
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    ...(Credentials.SessionToken === undefined ? {} : { sessionToken: Credentials.SessionToken }),
  };
}

/** A zone-less ISO date-time in a JSON string, as moto writes Macie's timestamps. */
const ZONELESS_TIME = /"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)"/g;

/** Makes `client` read moto's zone-less timestamps as UTC (see the header). */
function readingMotoTimestamps(client: Macie2Client): Macie2Client {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as {
        body?: unknown;
        headers: Record<string, string>;
      };
      if (response.body instanceof Readable) {
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
        const body = Buffer.from(
          Buffer.concat(chunks).toString('utf8').replace(ZONELESS_TIME, '"$1Z"'),
        );
        response.headers['content-length'] = String(body.length);
        response.body = Readable.from([body]);
      }
      return result;
    },
    // Low priority in the deserialize step: inside the SDK's deserializer, so this
    // sees the raw response first.
    { step: 'deserialize', name: 'motoTimestampsAsUtc', priority: 'low' },
  );
  return client;
}

function macieAs(credentials: Credentials): Macie2Client {
  const client = readingMotoTimestamps(new Macie2Client({ region: REGION, credentials }));
  clients.push(client);
  return client;
}

/** Classification jobs as Macie would keep them for the administrator (see the header). */
class JobsStandIn {
  readonly created: CreateClassificationJobRequest[] = [];
  readonly client = macieAs({ accessKeyId: 'unused', secretAccessKey: 'unused' });

  constructor() {
    const mock = mockClient(this.client);
    mock.on(ListClassificationJobsCommand).callsFake(() => ({
      items: this.created.map(
        (job, index): JobSummary => ({
          jobId: `job-${index + 1}`,
          name: job.name,
          jobStatus: 'RUNNING',
          jobType: job.jobType,
        }),
      ),
    }));
    mock.on(DescribeClassificationJobCommand).callsFake(({ jobId }: { jobId: string }) => {
      const job = this.created[Number(jobId.replace('job-', '')) - 1];
      return { ...job, jobId, jobStatus: 'RUNNING' };
    });
    mock.on(CreateClassificationJobCommand).callsFake((input: CreateClassificationJobRequest) => {
      this.created.push(input);
      return { jobId: `job-${this.created.length}` };
    });
  }

  /** The ACCOUNT_ID values of each job created, in order. */
  accountsOfEachJob(): (string[] | undefined)[] {
    return this.created.map(
      (job) => job.s3JobDefinition?.bucketCriteria?.includes?.and?.[0]?.simpleCriterion?.values,
    );
  }
}

let adminCredentials: Credentials;
let memberCredentials: Credentials;

beforeAll(async () => {
  adminCredentials = await credentialsOf(ADMIN);
  memberCredentials = await credentialsOf(MEMBER_A);
  const admin = macieAs(adminCredentials);
  await admin.send(new CreateInvitationsCommand({ accountIds: [MEMBER_A, MEMBER_B, INVITED] }));
  const { invitations = [] } = await admin.send(new ListInvitationsCommand({}));
  for (const [member, credentials] of [
    [MEMBER_A, memberCredentials],
    [MEMBER_B, await credentialsOf(MEMBER_B)],
  ] as const) {
    const invitation = invitations.find((i) => i.accountId === member);
    if (!invitation?.invitationId) throw new Error(`moto listed no invitation for ${member}`);
    await macieAs(credentials).send(
      new AcceptInvitationCommand({
        administratorAccountId: ADMIN,
        invitationId: invitation.invitationId,
      }),
    );
  }
}, 120_000);

afterAll(() => {
  for (const client of clients) client.destroy();
});

const noFlags: MacieScheduleFlags = {
  frequency: undefined,
  excludeTags: [],
  name: undefined,
  region: undefined,
  dryRun: false,
  format: 'json',
  organization: true,
  accounts: [],
};

/** Runs `macie schedule` as `credentials`: STS and ListMembers on moto, jobs on `jobs`. */
async function schedule(
  credentials: Credentials,
  jobs: JobsStandIn,
  flags: Partial<MacieScheduleFlags> = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const options = macieScheduleOptions(
    { ...noFlags, ...flags },
    { AWS_REGION: REGION },
    {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    },
  );
  const callerSts = new STSClient({ region: REGION, credentials });
  const macie = readingMotoTimestamps(new Macie2Client({ region: REGION, credentials }));
  const aws: MacieAws = {
    callerAccountId: () => new StsCallerAccount(callerSts).accountId(),
    members: new MacieMembers(macie),
    jobs: new MacieClassificationJobs(jobs.client),
    close() {
      callerSts.destroy();
      macie.destroy();
    },
  };
  const code = await runMacieSchedule(options, { macieAws: () => aws });
  return { code, stdout, stderr };
}

const sorted = (...ids: string[]) => [...ids].sort();

describe('macie schedule --organization (moto: STS, Macie members)', () => {
  it('covers the administrator and the members that accepted, in a dry run', async () => {
    const jobs = new JobsStandIn();

    const run = await schedule(adminCredentials, jobs, { dryRun: true });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      action: 'would-create',
      scope: 'organization',
      accounts: sorted(ADMIN, MEMBER_A, MEMBER_B),
    });
    expect(jobs.created).toEqual([]);
  });

  it('creates one job over those accounts, and leaves it alone on the next run', async () => {
    const jobs = new JobsStandIn();

    const first = await schedule(adminCredentials, jobs);
    const second = await schedule(adminCredentials, jobs);

    expect([first.code, second.code]).toEqual([0, 0]);
    expect(JSON.parse(first.stdout).action).toBe('created');
    expect(JSON.parse(second.stdout)).toMatchObject({
      action: 'exists',
      existing: { accounts: sorted(ADMIN, MEMBER_A, MEMBER_B), matchesRequest: true },
    });
    expect(jobs.accountsOfEachJob()).toEqual([sorted(ADMIN, MEMBER_A, MEMBER_B)]);
    expect(jobs.created[0]?.name).toBe(DEFAULT_JOB_NAME);
  });

  it('covers only the --accounts asked for among the members', async () => {
    const jobs = new JobsStandIn();

    const run = await schedule(adminCredentials, jobs, { accounts: [MEMBER_B] });

    expect(run.code).toBe(0);
    expect(jobs.accountsOfEachJob()).toEqual([[MEMBER_B]]);
  });

  it('refuses --accounts naming an account that was invited but is not a member', async () => {
    const jobs = new JobsStandIn();

    const run = await schedule(adminCredentials, jobs, { accounts: [`${MEMBER_A},${INVITED}`] });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      `--accounts names an account that is not an enabled Macie member of administrator ${ADMIN}: ${INVITED}\n`,
    );
    expect(jobs.created).toEqual([]);
  });

  it('refuses to run from a member account, which has no members of its own', async () => {
    const jobs = new JobsStandIn();

    const run = await schedule(memberCredentials, jobs, { dryRun: true });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `account ${MEMBER_A} has no enabled Macie member accounts: run it with the credentials of the Macie administrator account`,
    );
    expect(jobs.created).toEqual([]);
  });

  it('reports a conflict once a member has left, and creates nothing', async () => {
    const jobs = new JobsStandIn();
    await schedule(adminCredentials, jobs);
    const admin = macieAs(adminCredentials);
    await admin.send(new DisassociateMemberCommand({ id: MEMBER_B }));

    const run = await schedule(adminCredentials, jobs, { format: 'text' });

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`  not asked:    ${MEMBER_B}\n`);
    expect(run.stdout).toContain('run again with another --name, or cancel the old job');
    expect(jobs.created).toHaveLength(1);
  });
});

describe('bucket-classification macie schedule --organization (the CLI, moto credentials)', () => {
  it("reaches ListMembers with the SDK's default settings and stops where there are no members", async () => {
    // The default moto account has no Macie members in this or any test file.
    const run = await runCli('macie', 'schedule', '--organization', '--dry-run');

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      `macie schedule --organization in ${REGION}: account ${motoAccountId} has no enabled Macie member accounts`,
    );
  });
});
