import { GetBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { type MemberAccess, MemberRoleError, PerAccount } from '../../../lib/member-credentials';
import {
  AccountTagSources,
  isPermanentTagReadError,
  S3TagSource,
  type TagSource,
  tagReadFailure,
} from '../../../lib/s3-tag-source';
import { awsError } from '../../support/aws-errors';

describe('S3TagSource', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());
  afterAll(() => s3.restore());

  it('returns the tag set as key -> value', async () => {
    s3.on(GetBucketTaggingCommand).resolves({
      TagSet: [
        { Key: 'DataClassification', Value: 'Internal' },
        { Key: 'Team', Value: 'payments' },
      ],
    });

    const tags = await new S3TagSource(new S3Client({})).tagsOf('acme');

    expect(tags).toEqual({ DataClassification: 'Internal', Team: 'payments' });
  });

  it('reads NoSuchTagSet as no tags', async () => {
    s3.on(GetBucketTaggingCommand).rejects(awsError('NoSuchTagSet'));

    await expect(new S3TagSource(new S3Client({})).tagsOf('acme')).resolves.toEqual({});
  });

  it('lets other errors through, so the invocation is retried', async () => {
    s3.on(GetBucketTaggingCommand).rejects(awsError('AccessDenied'));

    await expect(new S3TagSource(new S3Client({})).tagsOf('acme')).rejects.toThrow('AccessDenied');
  });

  it('sends ExpectedBucketOwner when the caller names the owner', async () => {
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [] });

    await new S3TagSource(new S3Client({})).tagsOf('acme', '111122223333');

    expect(s3.commandCalls(GetBucketTaggingCommand)[0]?.args[0].input).toEqual({
      Bucket: 'acme',
      ExpectedBucketOwner: '111122223333',
    });
  });

  it('sends no ExpectedBucketOwner when the caller does not know the owner', async () => {
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [] });

    await new S3TagSource(new S3Client({})).tagsOf('acme');

    expect(s3.commandCalls(GetBucketTaggingCommand)[0]?.args[0].input).toStrictEqual({
      Bucket: 'acme',
    });
  });

  it('reads a tag without a key or a value as empty text, and no tag set as no tags', async () => {
    s3.on(GetBucketTaggingCommand)
      .resolvesOnce({ TagSet: [{ Key: 'Team' }, { Value: 'orphan' }] as never })
      .resolvesOnce({});
    const source = new S3TagSource(new S3Client({}));

    await expect(source.tagsOf('acme')).resolves.toStrictEqual({ Team: '', '': 'orphan' });
    await expect(source.tagsOf('other')).resolves.toStrictEqual({});
  });

  it('fails with a permanent read error when another account owns the bucket', async () => {
    s3.on(GetBucketTaggingCommand, { ExpectedBucketOwner: '111122223333' }).rejects(
      awsError('AccessDenied'),
    );

    const error = await new S3TagSource(new S3Client({}))
      .tagsOf('acme', '111122223333')
      .catch((failure: unknown) => failure);

    expect(isPermanentTagReadError(error)).toBe(true);
  });

  it('does not answer a read for one owner with tags read for another', async () => {
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'Team', Value: 'a' }] });
    const source = new S3TagSource(new S3Client({}));

    await source.tagsOf('acme', '111122223333');
    await source.tagsOf('acme', '444455556666');

    expect(
      s3
        .commandCalls(GetBucketTaggingCommand)
        .map((call) => call.args[0].input.ExpectedBucketOwner),
    ).toEqual(['111122223333', '444455556666']);
  });

  it('reuses tags it read until they expire', async () => {
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'Team', Value: 'a' }] });
    let now = 0;
    const source = new S3TagSource(new S3Client({}), 1000, () => now);

    await source.tagsOf('acme');
    now = 999;
    await source.tagsOf('acme');
    expect(s3.commandCalls(GetBucketTaggingCommand)).toHaveLength(1);

    now = 1000;
    await source.tagsOf('acme');
    expect(s3.commandCalls(GetBucketTaggingCommand)).toHaveLength(2);
  });
});

describe('isPermanentTagReadError', () => {
  it.each([['AccessDenied'], ['AllAccessDisabled'], ['NoSuchBucket']])(
    'calls %s permanent: retrying cannot read the tags',
    (name) => {
      expect(isPermanentTagReadError(awsError(name))).toBe(true);
    },
  );

  it.each([['SlowDown'], ['InternalError'], ['TimeoutError']])(
    'calls %s transient, to be retried',
    (name) => {
      expect(isPermanentTagReadError(awsError(name))).toBe(false);
    },
  );

  it('calls anything that is not an error transient', () => {
    expect(isPermanentTagReadError('AccessDenied')).toBe(false);
  });
});

describe('tagReadFailure', () => {
  it('names the error, and the member role when assuming it failed', () => {
    const role = 'arn:aws:iam::444455556666:role/bucket-classification-member';

    expect(tagReadFailure(awsError('AccessDenied'))).toBe('AccessDenied');
    expect(tagReadFailure(new MemberRoleError('AccessDenied', role, 'not allowed'))).toBe(
      `AccessDenied assuming ${role}`,
    );
  });
});

describe('AccountTagSources', () => {
  it("reads each bucket through its owner's source, and through its own without an owner", async () => {
    const asked: string[] = [];
    const sourceOf = (who: string): TagSource => ({
      tagsOf: async (bucket, owner) => {
        asked.push(`${who}:${bucket}:${owner ?? '-'}`);
        return { Team: who };
      },
    });
    const member: MemberAccess = {
      credentialsFor: (account) =>
        account === '444455556666'
          ? async () => ({ accessKeyId: 'a', secretAccessKey: 'b' })
          : undefined,
    };
    const sources = new AccountTagSources(
      new PerAccount(member, (credentials) => sourceOf(credentials ? 'member' : 'own')),
    );

    await expect(sources.tagsOf('b1', '444455556666')).resolves.toEqual({ Team: 'member' });
    await expect(sources.tagsOf('b2')).resolves.toEqual({ Team: 'own' });
    expect(asked).toEqual(['member:b1:444455556666', 'own:b2:-']);
  });
});
