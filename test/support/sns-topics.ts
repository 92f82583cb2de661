/**
 * SNS topics for integration tests. A team's topic opts in to notices with the tag
 * `AcceptsClassificationAlerts=true` (the default setting), as a team does with
 * `aws sns tag-resource`; without it nothing is published to the topic. The central
 * security topic is created without it: the functions trust it anyway.
 */
import { CreateTopicCommand, type SNSClient, TagResourceCommand } from '@aws-sdk/client-sns';

/** The default opt-in tag, written out (not taken from the code under test). */
export const OPT_IN_TAG = { Key: 'AcceptsClassificationAlerts', Value: 'true' } as const;

/** Creates the topic `name` (no tags) and returns its ARN. */
export async function createTopic(
  sns: SNSClient,
  name: string,
  attributes?: Record<string, string>,
): Promise<string> {
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({ Name: name, ...(attributes ? { Attributes: attributes } : {}) }),
  );
  if (!TopicArn) throw new Error(`CreateTopic ${name} returned no TopicArn`);
  return TopicArn;
}

/** Creates a team's topic `name` that has opted in to notices, and returns its ARN. */
export async function createTeamTopic(
  sns: SNSClient,
  name: string,
  attributes?: Record<string, string>,
): Promise<string> {
  const topicArn = await createTopic(sns, name, attributes);
  await optIn(sns, topicArn);
  return topicArn;
}

/** Tags a topic with the opt-in tag (or with `tag` instead). */
export async function optIn(
  sns: SNSClient,
  topicArn: string,
  tag: { readonly Key: string; readonly Value: string } = OPT_IN_TAG,
): Promise<void> {
  await sns.send(new TagResourceCommand({ ResourceArn: topicArn, Tags: [{ ...tag }] }));
}
