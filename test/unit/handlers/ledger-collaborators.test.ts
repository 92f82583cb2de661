import { GetBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTagsForResourceCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { bucketTagSources } from '../../../handlers/ledger-collaborators';
import { snsClients } from '../../../handlers/sns-clients';
import type { CredentialsProvider, MemberAccess } from '../../../lib/member-credentials';

const MEMBER = '111122223333';
const CENTRAL = '999988887777';

/** Member access that hands out fixed credentials for every account but the central one. */
function recordingAccess(): MemberAccess & { asked: string[] } {
  const asked: string[] = [];
  const provider: CredentialsProvider = async () => ({
    accessKeyId: 'AKIAMEMBER',
    secretAccessKey: 'secret',
  });
  return {
    asked,
    credentialsFor(accountId) {
      asked.push(accountId);
      return accountId === CENTRAL ? undefined : provider;
    },
  };
}

describe('the ledger functions’ per-account clients', () => {
  const s3 = mockClient(S3Client);
  const sns = mockClient(SNSClient);
  afterEach(() => {
    s3.reset();
    sns.reset();
  });

  it("reads a bucket's tags with its owner's credentials, once per account", async () => {
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'Team', Value: 'payments' }] });
    const access = recordingAccess();
    const tags = bucketTagSources(access, 0);

    await expect(tags.tagsOf('payments-data', MEMBER)).resolves.toEqual({ Team: 'payments' });
    await tags.tagsOf('payments-logs', MEMBER);
    await tags.tagsOf('central-data', CENTRAL);

    expect(access.asked).toEqual([MEMBER, MEMBER, CENTRAL]);
    expect(s3.commandCalls(GetBucketTaggingCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'payments-data', ExpectedBucketOwner: MEMBER },
      { Bucket: 'payments-logs', ExpectedBucketOwner: MEMBER },
      { Bucket: 'central-data', ExpectedBucketOwner: CENTRAL },
    ]);
    const [member, again, central] = s3.commandCalls(GetBucketTaggingCommand);
    // One client per account, kept.
    expect(again?.thisValue).toBe(member?.thisValue);
    const memberClient = member?.thisValue as S3Client | undefined;
    if (memberClient === undefined) throw new Error('no GetBucketTagging call was made');
    expect(await memberClient.config.credentials()).toMatchObject({
      accessKeyId: 'AKIAMEMBER',
    });
    expect(central?.thisValue).not.toBe(member?.thisValue);
  });

  it("builds an SNS client in the topic's region with the topic account's credentials", async () => {
    sns.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    const access = recordingAccess();

    const client = snsClients(access)('eu-west-1', MEMBER);

    expect(access.asked).toEqual([MEMBER]);
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'AKIAMEMBER' });
  });
});
