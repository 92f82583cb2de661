/**
 * `bucket-classification tags --live --accounts` and `--organization` against moto,
 * with several accounts. moto keeps each account's resources apart, and STS
 * `AssumeRole` into a role ARN of another account (the role need not exist) returns
 * credentials that act as that account: the command runs as a management account
 * reached that way, its organisation and member accounts are made with AWS
 * Organizations, and each member's buckets, tags and topics are made with that
 * member's own credentials, as its team would.
 *
 * moto grants every AssumeRole, so the account whose role cannot be assumed is made
 * with the fault proxy in front of STS alone (`AWS_ENDPOINT_URL_STS`): it refuses
 * AssumeRole into that one role with AccessDenied, as IAM would for a member whose
 * role is missing or does not trust the caller. Everything else reaches moto as it is.
 *
 * The command runs in-process with the management account's credentials in the
 * AWS_* variables, as a user's shell would hold them, and builds its own clients.
 */
import { randomInt, randomUUID } from 'node:crypto';
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { BucketTagsResult, NotSwept, TagsSummary } from '../../bin/tags-command';
import { parseCsv, runCli } from '../support/cli';
import { type ClearedEnv, clearEnv } from '../support/env';
import { type FaultProxy, queryError, startFaultProxy } from '../support/fault-proxy';
import { createBucket } from '../support/s3-buckets';
import { createTeamTopic, createTopic } from '../support/sns-topics';
import { subscribedQueue } from '../support/sqs-inbox';

const REGION = process.env.AWS_REGION ?? 'us-east-1';
const RUN = randomUUID().slice(0, 8);
const LEVELS = 'Public, Internal, Confidential, Restricted';

/** A management account of its own per run: one organisation per account in moto. */
const MANAGEMENT = String(randomInt(100_000_000_000, 999_999_999_999));

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** Credentials acting as `account` in moto, through a role of that account. */
async function actAs(sts: STSClient, account: string, role: string): Promise<Credentials> {
  const { Credentials: given } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/${role}`,
      RoleSessionName: `test-${RUN}`,
    }),
  );
  if (!given?.AccessKeyId || !given.SecretAccessKey || !given.SessionToken) {
    throw new Error(`AssumeRole into ${account} returned no credentials`);
  }
  return {
    accessKeyId: given.AccessKeyId,
    secretAccessKey: given.SecretAccessKey,
    sessionToken: given.SessionToken,
  };
}

/** A member account made with CreateAccount; its id. */
async function createAccount(organizations: OrganizationsClient, name: string): Promise<string> {
  const { CreateAccountStatus } = await organizations.send(
    new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
  );
  const id = CreateAccountStatus?.AccountId;
  if (!id) throw new Error(`CreateAccount ${name} returned no account id`);
  return id;
}

interface Report {
  readonly results: BucketTagsResult[];
  readonly notSwept: NotSwept[];
  readonly leftOut: Array<{ accountId: string; state: string }>;
  readonly summary: TagsSummary;
}

/** Settings the command reads from the environment; cleared so the defaults apply. */
const ENV_VARIABLES = [
  'ALLOWED_TOPIC_ACCOUNTS',
  'CLASSIFICATION_TAG_KEY',
  'TOPIC_TAG_KEY',
  'TEAM_TAG_KEY',
  'TOPIC_OPT_IN_TAG_KEY',
  'TOPIC_OPT_IN_TAG_VALUE',
  'MEMBER_ROLE_NAME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL_STS',
] as const;

const bucket = {
  management: `accounts-mgmt-${RUN}`,
  teamGood: `accounts-team-good-${RUN}`,
  teamDeaf: `accounts-team-deaf-${RUN}`,
  teamStray: `accounts-team-stray-${RUN}`,
  dataBare: `accounts-data-bare-${RUN}`,
  locked: `accounts-locked-${RUN}`,
} as const;

const clients: Array<{ destroy(): void }> = [];
function track<C extends { destroy(): void }>(client: C): C {
  clients.push(client);
  return client;
}

let env: ClearedEnv;
let proxy: FaultProxy;
let managementCredentials: Credentials;
let team: string;
let data: string;
let locked: string;
let closed: string;
let teamTopic: string;
let teamDeafTopic: string;
let managementTopic: string;

beforeAll(async () => {
  const endpoint = process.env.AWS_ENDPOINT_URL as string;
  const sts = track(new STSClient({}));
  managementCredentials = await actAs(sts, MANAGEMENT, 'OrganizationAccountAccessRole');
  const asManagement = { region: REGION, credentials: managementCredentials };

  const organizations = track(new OrganizationsClient(asManagement));
  await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  team = await createAccount(organizations, `team-${RUN}`);
  data = await createAccount(organizations, `data-${RUN}`);
  locked = await createAccount(organizations, `locked-${RUN}`);
  closed = await createAccount(organizations, `closed-${RUN}`);
  await organizations.send(new CloseAccountCommand({ AccountId: closed }));

  // The management account's own bucket and topic, made with its own credentials.
  const managementSns = track(new SNSClient(asManagement));
  managementTopic = await createTeamTopic(managementSns, `accounts-mgmt-${RUN}`);
  await subscribedQueue(
    { sns: managementSns, sqs: track(new SQSClient(asManagement)) },
    managementTopic,
    `accounts-mgmt-inbox-${RUN}`,
  );
  await createBucket(track(new S3Client(asManagement)), bucket.management, {
    DataClassification: 'Internal',
    SupportSNSTopic: managementTopic,
  });

  // Each member's resources, made through the member role as the central side reaches it.
  const managementSts = track(new STSClient(asManagement));
  const member = async (account: string) => {
    const config = {
      region: REGION,
      credentials: await actAs(managementSts, account, 'BucketClassificationMember'),
    };
    return {
      s3: track(new S3Client(config)),
      sns: track(new SNSClient(config)),
      sqs: track(new SQSClient(config)),
    };
  };

  const teamAws = await member(team);
  teamTopic = await createTeamTopic(teamAws.sns, `accounts-team-${RUN}`);
  await subscribedQueue(teamAws, teamTopic, `accounts-team-inbox-${RUN}`);
  teamDeafTopic = await createTeamTopic(teamAws.sns, `accounts-team-deaf-${RUN}`);
  await createBucket(teamAws.s3, bucket.teamGood, {
    DataClassification: 'Confidential',
    SupportSNSTopic: teamTopic,
  });
  await createBucket(teamAws.s3, bucket.teamDeaf, {
    DataClassification: 'Restricted',
    SupportSNSTopic: teamDeafTopic,
  });
  // A topic of the management account: not the bucket's own account.
  await createBucket(teamAws.s3, bucket.teamStray, {
    DataClassification: 'Public',
    SupportSNSTopic: managementTopic,
  });

  const dataAws = await member(data);
  await createBucket(dataAws.s3, bucket.dataBare);
  // A topic in the data account that has not opted in; no bucket names it.
  await createTopic(dataAws.sns, `accounts-data-quiet-${RUN}`);

  const lockedAws = await member(locked);
  await createBucket(lockedAws.s3, bucket.locked, { DataClassification: 'Public' });

  proxy = await startFaultProxy(endpoint);
  proxy.use((request) => {
    if (request.service !== 'sts' || request.operation !== 'AssumeRole') return undefined;
    const roleArn = new URLSearchParams(request.body).get('RoleArn');
    return roleArn === `arn:aws:iam::${locked}:role/BucketClassificationMember`
      ? queryError(
          403,
          'AccessDenied',
          `User: arn:aws:sts::${MANAGEMENT}:assumed-role/OrganizationAccountAccessRole/test is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        )
      : undefined;
  });

  env = clearEnv(ENV_VARIABLES);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: managementCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: managementCredentials.secretAccessKey,
    AWS_SESSION_TOKEN: managementCredentials.sessionToken,
    AWS_ENDPOINT_URL_STS: proxy.endpoint,
  });
}, 120_000);

afterAll(async () => {
  env?.restore();
  for (const client of clients) client.destroy();
  await proxy?.stop();
});

const lockedRole = () => `arn:aws:iam::${locked}:role/BucketClassificationMember`;

/** The rows of a report as [account, bucket, compliance], in the report's order. */
function rows(report: Report): string[][] {
  return report.results.map((r) => [r.accountId ?? '', r.bucket, r.compliance]);
}

describe('tags --live --organization against moto', () => {
  let code: number;
  let stderr: string;
  let report: Report;

  beforeAll(async () => {
    const run = await runCli('tags', '--live', '--organization', '--format', 'json');
    ({ code, stderr } = run);
    report = JSON.parse(run.stdout) as Report;
  }, 120_000);

  it('judges the buckets of every ACTIVE account, each as its own account’s', () => {
    expect(rows(report)).toEqual(
      [
        [team, bucket.teamDeaf, 'NON_COMPLIANT'],
        [team, bucket.teamStray, 'NON_COMPLIANT'],
        [data, bucket.dataBare, 'NON_COMPLIANT'],
        [MANAGEMENT, bucket.management, 'COMPLIANT'],
        [team, bucket.teamGood, 'COMPLIANT'],
      ].sort(byComplianceAccountBucket),
    );
  });

  it("looks a member's topics up in the member account, through its role", () => {
    const byBucket = new Map(report.results.map((r) => [r.bucket, r]));
    expect(byBucket.get(bucket.teamGood)?.annotation).toBe(
      `Declares Confidential; alerts go to ${teamTopic}.`,
    );
    expect(byBucket.get(bucket.teamDeaf)?.annotation).toBe(
      `SupportSNSTopic topic accounts-team-deaf-${RUN} has no confirmed subscription, so alerts reach nobody: subscribe your team and confirm it.`,
    );
    expect(byBucket.get(bucket.teamStray)?.annotation).toBe(
      `SupportSNSTopic is in account ${MANAGEMENT}; allowed: ${team}.`,
    );
    expect(byBucket.get(bucket.dataBare)?.problems).toEqual([
      `DataClassification is missing: tag it with one of ${LEVELS}.`,
      "SupportSNSTopic is missing: tag it with your team's SNS topic ARN.",
    ]);
  });

  it('reports the account whose role cannot be assumed, naming the role and the error', () => {
    const error = `could not assume ${lockedRole()}: AccessDenied: User: arn:aws:sts::${MANAGEMENT}:assumed-role/OrganizationAccountAccessRole/test is not authorized to perform: sts:AssumeRole on resource: ${lockedRole()}`;
    expect(report.notSwept).toEqual([{ accountId: locked, roleArn: lockedRole(), error }]);
    expect(stderr).toContain(`bucket-classification: account ${locked} not swept: ${error}\n`);
    expect(report.results.some((r) => r.bucket === bucket.locked)).toBe(false);
  });

  it('leaves out the closed account, and says so', () => {
    expect(report.leftOut).toEqual([{ accountId: closed, state: 'SUSPENDED' }]);
    expect(stderr).toContain(
      `note: 1 account of the organisation is not ACTIVE and is left out: ${closed} (SUSPENDED).\n`,
    );
  });

  it('exits 2: the sweep is incomplete', () => {
    expect(code).toBe(2);
    expect(report.summary).toEqual({
      buckets: 5,
      compliant: 2,
      nonCompliant: 3,
      exempt: 0,
      unreadable: 0,
      accountId: null,
      topicExistenceChecked: true,
      accounts: { swept: 3, notSwept: 1, leftOut: 1 },
    });
  });
});

describe('tags --live --accounts against moto', () => {
  it('sweeps the listed accounts only, one table with an account column', async () => {
    const { code, stdout, stderr } = await runCli(
      'tags',
      '--live',
      '--accounts',
      `${data},${team}`,
    );

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT {7}BUCKET {2,}COMPLIANCE {5}ANNOTATION$/);
    expect(lines.slice(1, 5).map((line) => line.split(/ {2,}/).slice(0, 3))).toEqual(
      [
        [team, bucket.teamDeaf, 'NON_COMPLIANT'],
        [team, bucket.teamStray, 'NON_COMPLIANT'],
        [data, bucket.dataBare, 'NON_COMPLIANT'],
        [team, bucket.teamGood, 'COMPLIANT'],
      ].sort(byComplianceAccountBucket),
    );
    expect(lines.slice(5)).toEqual([
      '',
      '4 buckets in 2 accounts: 1 compliant, 3 non-compliant.',
      '',
    ]);
  }, 120_000);

  it('writes a NOT_SWEPT row in CSV for the account whose role cannot be assumed', async () => {
    const { code, stdout } = await runCli(
      'tags',
      '--live',
      '--accounts',
      `${locked},${MANAGEMENT}`,
      '--format',
      'csv',
    );

    expect(code).toBe(2);
    const [header, notSwept, ...others] = parseCsv(stdout);
    expect(header).toEqual(['account', 'bucket', 'compliance', 'annotation']);
    expect(notSwept?.slice(0, 3)).toEqual([locked, '', 'NOT_SWEPT']);
    expect(notSwept?.[3]).toMatch(
      new RegExp(`^could not assume ${lockedRole()}: AccessDenied: `.replaceAll('/', '\\/')),
    );
    expect(others.map((row) => row.slice(0, 3))).toEqual([
      [MANAGEMENT, bucket.management, 'COMPLIANT'],
    ]);
  }, 120_000);

  it('reaches the member accounts through the role named by --member-role', async () => {
    // Prepare: moto grants any role; the proxy refuses this one only in the locked account.
    const { code, stdout } = await runCli(
      'tags',
      '--live',
      '--accounts',
      locked,
      '--member-role',
      'SecurityAudit',
      '--format',
      'json',
    );

    // The locked account's AccessDenied was for BucketClassificationMember only.
    expect(code).toBe(0);
    expect(rows(JSON.parse(stdout) as Report)).toEqual([[locked, bucket.locked, 'NON_COMPLIANT']]);
  }, 120_000);
});

/** The report's order: non-compliant first, then by account, then by bucket. */
function byComplianceAccountBucket(a: string[], b: string[]): number {
  const rank = (row: string[]) => (row[2] === 'NON_COMPLIANT' ? 0 : 1);
  return (
    rank(a) - rank(b) ||
    (a[0] ?? '').localeCompare(b[0] ?? '') ||
    (a[1] ?? '').localeCompare(b[1] ?? '')
  );
}
