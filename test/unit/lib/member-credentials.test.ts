import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import {
  type CredentialsProvider,
  MemberRoleError,
  memberRoleArn,
  OWN_ACCOUNT_ONLY,
  PerAccount,
  partitionOfRegion,
  StsMemberRoles,
} from '../../../lib/member-credentials';

const CENTRAL = '999999999999';
const MEMBER = '111122223333';
const OTHER = '444455556666';
const SETTINGS = {
  roleName: 'BucketClassificationMember',
  centralAccountId: CENTRAL,
  partition: 'aws',
};
const HOUR = 3_600_000;

/** An STS stand-in: answers AssumeRole with credentials valid for an hour from `clock`. */
function fakeSts(clock: { now: number }, fail?: () => Error | undefined) {
  const calls: AssumeRoleCommand['input'][] = [];
  let serial = 0;
  const sts = {
    send: async (command: AssumeRoleCommand) => {
      expect(command).toBeInstanceOf(AssumeRoleCommand);
      calls.push(command.input);
      const failure = fail?.();
      if (failure) throw failure;
      serial += 1;
      return {
        Credentials: {
          AccessKeyId: `AKIA${serial}`,
          SecretAccessKey: 'secret',
          SessionToken: 'token',
          Expiration: new Date(clock.now + HOUR),
        },
      };
    },
  };
  return { sts: sts as unknown as STSClient, calls };
}

function provider(roles: StsMemberRoles, account: string): CredentialsProvider {
  const found = roles.credentialsFor(account);
  if (!found) throw new Error(`no provider for ${account}`);
  return found;
}

describe('StsMemberRoles', () => {
  it('uses the caller’s own credentials in the central account', () => {
    const clock = { now: 0 };
    const { sts, calls } = fakeSts(clock);
    const roles = new StsMemberRoles(SETTINGS, 'bucket-classification-test', sts, () => clock.now);

    expect(roles.credentialsFor(CENTRAL)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('assumes the member role of the account, for an hour, under the session name', async () => {
    const clock = { now: 1_000 };
    const { sts, calls } = fakeSts(clock);
    const roles = new StsMemberRoles(SETTINGS, 'bucket-classification-test', sts, () => clock.now);

    const credentials = await provider(roles, MEMBER)();

    expect(calls).toEqual([
      {
        RoleArn: 'arn:aws:iam::111122223333:role/BucketClassificationMember',
        RoleSessionName: 'bucket-classification-test',
        DurationSeconds: 3600,
      },
    ]);
    expect(credentials).toEqual({
      accessKeyId: 'AKIA1',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration: new Date(1_000 + HOUR),
    });
  });

  it('keeps one session per account until five minutes before it expires', async () => {
    const clock = { now: 0 };
    const { sts, calls } = fakeSts(clock);
    const roles = new StsMemberRoles(SETTINGS, 'bucket-classification-test', sts, () => clock.now);

    await provider(roles, MEMBER)();
    clock.now = HOUR - 5 * 60_000 - 1;
    expect((await provider(roles, MEMBER)()).accessKeyId).toBe('AKIA1');
    expect(calls).toHaveLength(1);

    clock.now = HOUR - 5 * 60_000;
    expect((await provider(roles, MEMBER)()).accessKeyId).toBe('AKIA2');
    expect(calls).toHaveLength(2);
    expect(roles.sessions).toBe(1);
  });

  it('keeps accounts apart', async () => {
    const clock = { now: 0 };
    const { sts, calls } = fakeSts(clock);
    const roles = new StsMemberRoles(SETTINGS, 'bucket-classification-test', sts, () => clock.now);

    await provider(roles, MEMBER)();
    await provider(roles, OTHER)();
    await provider(roles, MEMBER)();

    expect(calls.map((call) => call.RoleArn)).toEqual([
      'arn:aws:iam::111122223333:role/BucketClassificationMember',
      'arn:aws:iam::444455556666:role/BucketClassificationMember',
    ]);
    expect(roles.sessions).toBe(2);
  });

  it('makes one AssumeRole call for callers asking at the same time', async () => {
    const clock = { now: 0 };
    const { sts, calls } = fakeSts(clock);
    const roles = new StsMemberRoles(SETTINGS, 'bucket-classification-test', sts, () => clock.now);

    const all = await Promise.all([1, 2, 3].map(() => provider(roles, MEMBER)()));

    expect(calls).toHaveLength(1);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['AKIA1']));
  });

  it('names the role and keeps the STS error’s name when the role cannot be assumed, and tries again next time', async () => {
    const clock = { now: 0 };
    let refuse = true;
    const denied = Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), {
      name: 'AccessDenied',
    });
    const { sts, calls } = fakeSts(clock, () => (refuse ? denied : undefined));
    const roles = new StsMemberRoles(SETTINGS, 'bucket-classification-test', sts, () => clock.now);

    const failure = await provider(roles, MEMBER)().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MemberRoleError);
    expect(failure).toMatchObject({
      name: 'AccessDenied',
      roleArn: 'arn:aws:iam::111122223333:role/BucketClassificationMember',
      message:
        'could not assume arn:aws:iam::111122223333:role/BucketClassificationMember: AccessDenied: User is not authorized to perform: sts:AssumeRole',
      cause: denied,
    });

    refuse = false;
    await expect(provider(roles, MEMBER)()).resolves.toMatchObject({ accessKeyId: 'AKIA1' });
    expect(calls).toHaveLength(2);
  });

  it('refuses an answer without credentials', async () => {
    const sts = { send: async () => ({}) } as unknown as STSClient;
    const roles = new StsMemberRoles(SETTINGS, 'bucket-classification-test', sts);

    await expect(provider(roles, MEMBER)()).rejects.toMatchObject({
      name: 'NoCredentials',
      message:
        'could not assume arn:aws:iam::111122223333:role/BucketClassificationMember: NoCredentials: AssumeRole returned no credentials',
    });
  });

  it('cuts a session name to the 64 characters STS takes', async () => {
    const clock = { now: 0 };
    const { sts, calls } = fakeSts(clock);
    const roles = new StsMemberRoles(SETTINGS, 'x'.repeat(70), sts, () => clock.now);

    await provider(roles, MEMBER)();

    expect(calls[0]?.RoleSessionName).toBe('x'.repeat(64));
  });
});

describe('memberRoleArn and partitionOfRegion', () => {
  it.each([
    ['eu-west-1', 'aws'],
    [undefined, 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-east-1', 'aws'],
  ])('%s is in partition %s', (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });

  it('builds the role ARN in the partition', () => {
    expect(memberRoleArn({ ...SETTINGS, partition: 'aws-cn', roleName: 'Custom' }, MEMBER)).toBe(
      'arn:aws-cn:iam::111122223333:role/Custom',
    );
  });
});

describe('PerAccount', () => {
  it('builds one per account with its credentials, and the caller’s own for the central account and no account', () => {
    const clock = { now: 0 };
    const { sts } = fakeSts(clock);
    const roles = new StsMemberRoles(SETTINGS, 'bucket-classification-test', sts);
    const builds: Array<CredentialsProvider | undefined> = [];
    const perAccount = new PerAccount(roles, (credentials) => {
      builds.push(credentials);
      return { id: builds.length };
    });

    const member = perAccount.for(MEMBER);
    expect(perAccount.for(MEMBER)).toBe(member);
    const own = perAccount.for(undefined);
    expect(perAccount.for(CENTRAL)).toBe(own);
    expect(perAccount.for(OTHER)).not.toBe(member);

    expect(builds).toHaveLength(3);
    expect(typeof builds[0]).toBe('function');
    expect(builds[1]).toBeUndefined();
  });

  it('uses the caller’s own credentials for every account in a single-account deployment', () => {
    let builds = 0;
    const perAccount = new PerAccount(OWN_ACCOUNT_ONLY, () => ({ id: ++builds }));

    expect(perAccount.for(MEMBER)).toBe(perAccount.for(OTHER));
    expect(builds).toBe(1);
  });
});
