import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';

/** Port: does a topic exist? `undefined` when it cannot be told. */
export interface TopicDirectory {
  exists(topicArn: string): Promise<boolean | undefined>;
}

/**
 * SNS `GetTopicAttributes`, with a client per topic region. Not found means the
 * topic does not exist; a refusal to look (authorization) means it cannot be
 * told, which the rule does not hold against the bucket.
 */
export class SnsTopicDirectory implements TopicDirectory {
  private readonly clients = new Map<string, SNSClient>();

  constructor(
    private readonly clientFor: (region: string) => SNSClient = (region) =>
      new SNSClient({ region }),
  ) {}

  async exists(topicArn: string): Promise<boolean | undefined> {
    const region = topicArn.split(':')[3] ?? '';
    let client = this.clients.get(region);
    if (!client) {
      client = this.clientFor(region);
      this.clients.set(region, client);
    }
    try {
      await client.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
      return true;
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'NotFoundException' || name === 'NotFound') return false;
      if (name === 'AuthorizationErrorException' || name === 'AuthorizationError') return undefined;
      throw error;
    }
  }
}
