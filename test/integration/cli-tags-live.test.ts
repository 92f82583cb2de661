/**
 * `bucket-classification tags --live` against moto: real buckets with tags, one
 * real topic, the caller's account from STS, buckets listed for one region. The
 * command builds its own clients with no options, as in production, and reaches
 * moto through the AWS_* variables the globalSetup exports. The server is shared
 * with other test files, so names are unique per run and other buckets are ignored.
 */
import { randomUUID } from 'node:crypto';
import { GetBucketLocationCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { BucketTagsResult, TagsSummary } from '../../bin/tags-command';
import { runCli } from '../support/cli';
import { type ClearedEnv, clearEnv } from '../support/env';
import { motoAccountId as ACCOUNT } from '../support/moto-server';
import { createBucket } from '../support/s3-buckets';
import { createTeamTopic } from '../support/sns-topics';
import { subscribedQueue } from '../support/sqs-inbox';

const REGION = process.env.AWS_REGION ?? 'us-east-1';
const OTHER_REGION = REGION === 'eu-west-1' ? 'eu-central-1' : 'eu-west-1';
const RUN = randomUUID().slice(0, 8);
const LEVELS = 'Public, Internal, Confidential, Restricted';

const bucket = {
  good: `tags-live-good-${RUN}`,
  untagged: `tags-live-untagged-${RUN}`,
  badLevel: `tags-live-bad-level-${RUN}`,
  foreign: `tags-live-foreign-${RUN}`,
  noSuchTopic: `tags-live-no-such-topic-${RUN}`,
  deaf: `tags-live-deaf-${RUN}`,
  elsewhere: `tags-live-elsewhere-${RUN}`,
} as const;

const FOREIGN_TOPIC = `arn:aws:sns:${REGION}:444455556666:partner-alerts-${RUN}`;
/** Well-formed, in the caller's account, never created. */
const NEVER_CREATED_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:tags-live-never-created-${RUN}`;

/** Settings the command reads from the environment; cleared so the defaults apply. */
const ENV_VARIABLES = [
  'ALLOWED_TOPIC_ACCOUNTS',
  'CLASSIFICATION_TAG_KEY',
  'TOPIC_TAG_KEY',
  'TEAM_TAG_KEY',
  'TOPIC_OPT_IN_TAG_KEY',
  'TOPIC_OPT_IN_TAG_VALUE',
] as const;
let env: ClearedEnv;

const s3 = new S3Client({});
const s3Elsewhere = new S3Client({ region: OTHER_REGION });
const sns = new SNSClient({});
const sqs = new SQSClient({});
let topicArn: string;
let deafTopicArn: string;

beforeAll(async () => {
  env = clearEnv(ENV_VARIABLES);
  topicArn = await createTeamTopic(sns, `tags-live-team-${RUN}`);
  await subscribedQueue({ sns, sqs }, topicArn, `tags-live-team-inbox-${RUN}`);
  deafTopicArn = await createTeamTopic(sns, `tags-live-deaf-${RUN}`);
  await createBucket(s3, bucket.deaf, {
    DataClassification: 'Internal',
    SupportSNSTopic: deafTopicArn,
  });

  await createBucket(s3, bucket.good, {
    DataClassification: 'Confidential',
    SupportSNSTopic: topicArn,
    Team: 'analytics',
  });
  await createBucket(s3, bucket.untagged);
  await createBucket(s3, bucket.badLevel, {
    DataClassification: 'Top Secret',
    SupportSNSTopic: topicArn,
  });
  await createBucket(s3, bucket.foreign, {
    DataClassification: 'Internal',
    SupportSNSTopic: FOREIGN_TOPIC,
  });
  await createBucket(s3, bucket.noSuchTopic, {
    DataClassification: 'Restricted',
    SupportSNSTopic: NEVER_CREATED_TOPIC,
  });
  await createBucket(
    s3Elsewhere,
    bucket.elsewhere,
    { DataClassification: 'Public' },
    { locationConstraint: OTHER_REGION },
  );
});

afterAll(() => {
  for (const client of [s3, s3Elsewhere, sns, sqs]) client.destroy();
  env.restore();
});

describe('bucket-classification tags --live against moto', () => {
  let code: number;
  let stderr: string;
  let results: Map<string, BucketTagsResult>;
  let summary: TagsSummary;

  beforeAll(async () => {
    // Act: once for all the assertions below; the region comes from AWS_REGION.
    const run = await runCli('tags', '--live', '--format', 'json');
    ({ code, stderr } = run);
    const report = JSON.parse(run.stdout) as { results: BucketTagsResult[]; summary: TagsSummary };
    results = new Map(report.results.map((result) => [result.bucket, result]));
    summary = report.summary;
  });

  it('runs without errors and without the offline note', () => {
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/not checked offline/);
    // Other test files' buckets share the server; none of this file's may warn.
    expect(stderr.split('\n').filter((line) => line.includes(RUN))).toEqual([]);
  });

  it("judges the buckets with the caller's account from STS and checks topics", () => {
    expect(summary).toMatchObject({ accountId: ACCOUNT, topicExistenceChecked: true });
    expect(summary.buckets).toBe(results.size);
  });

  it('finds a bucket with a level and an existing topic of its account compliant', () => {
    expect(results.get(bucket.good)).toEqual({
      bucket: bucket.good,
      compliance: 'COMPLIANT',
      annotation: `Declares Confidential; alerts go to ${topicArn}.`,
      problems: [],
    });
  });

  it('reports a bucket without tags (NoSuchTagSet) as missing both tags', () => {
    expect(results.get(bucket.untagged)).toMatchObject({
      compliance: 'NON_COMPLIANT',
      problems: [
        `DataClassification is missing: tag it with one of ${LEVELS}.`,
        "SupportSNSTopic is missing: tag it with your team's SNS topic ARN.",
      ],
    });
  });

  it('reports a classification that is not a level', () => {
    expect(results.get(bucket.badLevel)).toMatchObject({
      compliance: 'NON_COMPLIANT',
      annotation: `DataClassification "Top Secret" is not a level (${LEVELS}).`,
    });
  });

  it('reports a topic in another account', () => {
    expect(results.get(bucket.foreign)).toMatchObject({
      compliance: 'NON_COMPLIANT',
      annotation: `SupportSNSTopic is in account 444455556666; allowed: ${ACCOUNT}.`,
    });
  });

  it('reports a topic nobody is subscribed to, as the rule does', () => {
    expect(results.get(bucket.deaf)).toMatchObject({
      compliance: 'NON_COMPLIANT',
      annotation: `SupportSNSTopic topic tags-live-deaf-${RUN} has no confirmed subscription, so alerts reach nobody: subscribe your team and confirm it.`,
    });
  }, 120_000);

  it('reports a valid-looking topic ARN that was never created as not existing', () => {
    expect(results.get(bucket.noSuchTopic)).toEqual({
      bucket: bucket.noSuchTopic,
      compliance: 'NON_COMPLIANT',
      annotation: `SupportSNSTopic topic tags-live-never-created-${RUN} does not exist in ${REGION}.`,
      problems: [
        `SupportSNSTopic topic tags-live-never-created-${RUN} does not exist in ${REGION}.`,
      ],
    });
  });

  it('leaves out buckets of other regions', async () => {
    // Guard: the bucket exists, in the other region, so only the region filter leaves it out.
    const { LocationConstraint } = await s3Elsewhere.send(
      new GetBucketLocationCommand({ Bucket: bucket.elsewhere }),
    );
    expect(LocationConstraint).toBe(OTHER_REGION);

    expect(results.has(bucket.elsewhere)).toBe(false);
  });
});
