import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { StsCallerAccount } from '../../../lib/sts-caller-account';

describe('StsCallerAccount', () => {
  const sts = mockClient(STSClient);
  beforeEach(() => sts.reset());
  afterAll(() => sts.restore());

  it("returns the caller's account", async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/a' });

    await expect(new StsCallerAccount(new STSClient({})).accountId()).resolves.toBe('111122223333');
  });

  it('fails clearly when STS names no account', async () => {
    sts.on(GetCallerIdentityCommand).resolves({});

    await expect(new StsCallerAccount(new STSClient({})).accountId()).rejects.toThrow(
      'GetCallerIdentity returned no account',
    );
  });

  it("returns the caller's ARN as its identity", async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111122223333', Arn: 'arn:aws:sts::111122223333:assumed-role/Sec/ana' });

    await expect(new StsCallerAccount(new STSClient({})).identity()).resolves.toBe(
      'arn:aws:sts::111122223333:assumed-role/Sec/ana',
    );
  });

  it('fails clearly when STS names no ARN', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });

    await expect(new StsCallerAccount(new STSClient({})).identity()).rejects.toThrow(
      'GetCallerIdentity returned no ARN',
    );
  });
});
