import {
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigHistoryItemSource } from '../../../lib/config-history';
import { ConfigEventError } from '../../../lib/errors';
import { awsError } from '../../support/aws-errors';
import { loadHistoryItem } from '../../support/config-events';

const BUCKET = 'team-a-ledger';
const CAPTURED = new Date('2024-05-15T11:02:45.903Z');

describe('ConfigHistoryItemSource', () => {
  const config = mockClient(ConfigServiceClient);
  beforeEach(() => config.reset());
  afterAll(() => config.restore());

  function calls() {
    return config.commandCalls(GetResourceConfigHistoryCommand).map((call) => call.args[0].input);
  }

  it('asks for the one item at or before the capture time', async () => {
    config
      .on(GetResourceConfigHistoryCommand)
      .resolves({ configurationItems: [loadHistoryItem()] });
    const source = new ConfigHistoryItemSource(new ConfigServiceClient({}));

    await source.itemAt('AWS::S3::Bucket', BUCKET, CAPTURED);

    expect(calls()).toEqual([
      { resourceType: 'AWS::S3::Bucket', resourceId: BUCKET, laterTime: CAPTURED, limit: 1 },
    ]);
    expect(calls()[0]).not.toHaveProperty('nextToken');
  });

  it('returns the item in the shape of a change notification', async () => {
    config
      .on(GetResourceConfigHistoryCommand)
      .resolves({ configurationItems: [loadHistoryItem()] });
    const source = new ConfigHistoryItemSource(new ConfigServiceClient({}));

    const item = await source.itemAt('AWS::S3::Bucket', BUCKET, CAPTURED);

    expect(item).toEqual({
      resourceType: 'AWS::S3::Bucket',
      resourceId: BUCKET,
      resourceName: BUCKET,
      awsAccountId: '111122223333',
      awsRegion: 'us-east-1',
      captureTime: CAPTURED,
      status: 'OK',
      tags: {
        DataClassification: 'Confidential',
        SupportSNSTopic: 'arn:aws:sns:us-east-1:111122223333:team-a-alerts',
        Team: 'team-a',
      },
    });
  });

  it('follows the next token past empty pages', async () => {
    config
      .on(GetResourceConfigHistoryCommand)
      .resolvesOnce({ configurationItems: [], nextToken: 'page-2' })
      .resolvesOnce({ nextToken: 'page-3' })
      .resolves({ configurationItems: [loadHistoryItem()] });
    const source = new ConfigHistoryItemSource(new ConfigServiceClient({}));

    const item = await source.itemAt('AWS::S3::Bucket', BUCKET, CAPTURED);

    expect(item?.resourceId).toBe(BUCKET);
    expect(calls().map((input) => input.nextToken)).toEqual([undefined, 'page-2', 'page-3']);
    expect(calls()[2]).toEqual({
      resourceType: 'AWS::S3::Bucket',
      resourceId: BUCKET,
      laterTime: CAPTURED,
      limit: 1,
      nextToken: 'page-3',
    });
  });

  it('gives up after five empty pages', async () => {
    config
      .on(GetResourceConfigHistoryCommand)
      .resolves({ configurationItems: [], nextToken: 'more' });
    const source = new ConfigHistoryItemSource(new ConfigServiceClient({}));

    const item = await source.itemAt('AWS::S3::Bucket', BUCKET, CAPTURED);

    expect(item).toBeUndefined();
    expect(calls()).toHaveLength(5);
  });

  it.each([
    ['an empty page', { configurationItems: [] }],
    ['a page without items', {}],
  ])('returns undefined after %s without a next token', async (_, page) => {
    config.on(GetResourceConfigHistoryCommand).resolves(page);
    const source = new ConfigHistoryItemSource(new ConfigServiceClient({}));

    const item = await source.itemAt('AWS::S3::Bucket', BUCKET, CAPTURED);

    expect(item).toBeUndefined();
    expect(calls()).toHaveLength(1);
  });

  it('rejects a malformed item with a ConfigEventError', async () => {
    const { configurationItemStatus: _, ...item } = loadHistoryItem();
    config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [item] });
    const source = new ConfigHistoryItemSource(new ConfigServiceClient({}));

    await expect(source.itemAt('AWS::S3::Bucket', BUCKET, CAPTURED)).rejects.toBeInstanceOf(
      ConfigEventError,
    );
  });

  it('lets errors from Config through', async () => {
    config
      .on(GetResourceConfigHistoryCommand)
      .rejects(
        awsError('ResourceNotDiscoveredException', 'ResourceNotDiscoveredException from Config'),
      );
    const source = new ConfigHistoryItemSource(new ConfigServiceClient({}));

    await expect(source.itemAt('AWS::S3::Bucket', BUCKET, CAPTURED)).rejects.toThrow(
      'ResourceNotDiscoveredException from Config',
    );
  });
});
