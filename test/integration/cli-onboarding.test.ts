/**
 * `bucket-classification onboarding topic-policy` against moto: the statement it
 * prints, put in a topic's access policy with SetTopicAttributes, is taken and read
 * back whole. moto checks that the policy is JSON, not what IAM would make of it;
 * the statement's content is specified in test/unit/bin/onboarding-command.test.ts.
 */
import { randomUUID } from 'node:crypto';
import {
  GetTopicAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { runCli } from '../support/cli';
import { createTopic } from '../support/sns-topics';

const RUN = randomUUID().slice(0, 8);
const sns = new SNSClient({});

afterAll(() => sns.destroy());

describe('onboarding topic-policy against moto', () => {
  it("prints a statement SNS takes into the topic's access policy", async () => {
    // Prepare
    const topicArn = await createTopic(sns, `onboarding-${RUN}`);
    const { code, stdout } = await runCli(
      'onboarding',
      'topic-policy',
      '--topic',
      topicArn,
      '--central-account',
      '999988887777',
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const { statement } = JSON.parse(stdout) as { statement: Record<string, unknown> };
    const policy = { Version: '2012-10-17', Statement: [statement] };

    // Act
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: topicArn,
        AttributeName: 'Policy',
        AttributeValue: JSON.stringify(policy),
      }),
    );

    // Assess
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect(JSON.parse(Attributes?.Policy ?? '{}')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowBucketClassificationPublish',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999988887777:root' },
          Action: 'sns:Publish',
          Resource: topicArn,
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': 'arn:aws:iam::999988887777:role/bucket-classification/*',
            },
          },
        },
      ],
    });
  }, 120_000);
});
