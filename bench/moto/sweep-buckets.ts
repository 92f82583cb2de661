/** The buckets the sweep benches and Cloud Custodian judge: tagged as an organisation tags them. */
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { motoClientConfig } from '../../test/support/moto-server';
import { createTeamTopic } from '../../test/support/sns-topics';
import { subscribedQueue } from '../../test/support/sqs-inbox';
import { createTaggedBuckets } from './buckets';

export const SWEEP_TEAMS = 30;

export function sweepBucketName(index: number): string {
  return `bench-sweep-${String(index).padStart(5, '0')}`;
}

/**
 * A bucket's tags: eight in ten declare a level and an opted-in team topic
 * (compliant); one declares a level the policy does not have; one names no topic.
 */
export function sweepBucketTags(index: number, topics: readonly string[]): Record<string, string> {
  const team = index % topics.length;
  const tags: Record<string, string> = {
    DataClassification: ['Public', 'Internal', 'Confidential', 'Restricted'][index % 4] as string,
    SupportSNSTopic: topics[team] as string,
    Team: `team-${team}`,
  };
  if (index % 10 === 8) tags.DataClassification = 'Secret';
  if (index % 10 === 9) delete tags.SupportSNSTopic;
  return tags;
}

/** Whether `sweepBucketTags(index)` is compliant with the required-tags rule. */
export function isCompliantSweepBucket(index: number): boolean {
  return index % 10 < 8;
}

/** Moto with the teams' opted-in, subscribed topics and buckets: `grow(count)` adds buckets up to `count`. */
export async function sweepEstate(
  endpoint: string,
): Promise<{ grow(count: number): Promise<void> }> {
  const sns = new SNSClient(motoClientConfig(endpoint));
  const sqs = new SQSClient(motoClientConfig(endpoint));
  const s3 = new S3Client(motoClientConfig(endpoint));
  const topics: string[] = [];
  for (let team = 0; team < SWEEP_TEAMS; team++) {
    const topicArn = await createTeamTopic(sns, `bench-sweep-team-${team}`);
    // A topic that reaches nobody fails the rule: each team listens on a queue.
    await subscribedQueue({ sns, sqs }, topicArn, `bench-sweep-team-${team}`);
    topics.push(topicArn);
  }
  let made = 0;
  return {
    async grow(count) {
      await createTaggedBuckets(s3, { from: made, to: count }, sweepBucketName, (index) =>
        sweepBucketTags(index, topics),
      );
      made = Math.max(made, count);
    },
  };
}
