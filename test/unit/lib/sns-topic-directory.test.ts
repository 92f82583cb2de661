import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsTopicDirectory } from '../../../lib/sns-topic-directory';
import { awsError } from '../../support/aws-errors';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:team-a-alerts';

describe('SnsTopicDirectory', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());
  afterAll(() => sns.restore());

  it('says a topic exists when SNS returns its attributes', async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: TOPIC } });
    const directory = new SnsTopicDirectory((region) => new SNSClient({ region }));

    await expect(directory.exists(TOPIC)).resolves.toBe(true);
    expect(sns.commandCalls(GetTopicAttributesCommand)[0]?.args[0].input).toEqual({
      TopicArn: TOPIC,
    });
  });

  it.each([['NotFoundException'], ['NotFound']])(
    'says a topic does not exist on %s',
    async (name) => {
      sns.on(GetTopicAttributesCommand).rejects(awsError(name, `${name} from SNS`));
      const directory = new SnsTopicDirectory((region) => new SNSClient({ region }));

      await expect(directory.exists(TOPIC)).resolves.toBe(false);
    },
  );

  it.each([['AuthorizationErrorException'], ['AuthorizationError']])(
    'cannot tell on %s',
    async (name) => {
      sns.on(GetTopicAttributesCommand).rejects(awsError(name, `${name} from SNS`));
      const directory = new SnsTopicDirectory((region) => new SNSClient({ region }));

      await expect(directory.exists(TOPIC)).resolves.toBeUndefined();
    },
  );

  it.each([['InvalidParameterException'], ['ThrottledException'], ['InternalErrorException']])(
    'lets %s through',
    async (name) => {
      sns.on(GetTopicAttributesCommand).rejects(awsError(name, `${name} from SNS`));
      const directory = new SnsTopicDirectory(
        (region) => new SNSClient({ region, maxAttempts: 1 }),
      );

      await expect(directory.exists(TOPIC)).rejects.toThrow(`${name} from SNS`);
    },
  );

  it("asks with one client per topic region, made when the region's first topic is seen", async () => {
    sns.on(GetTopicAttributesCommand).resolves({});
    const regions: string[] = [];
    const directory = new SnsTopicDirectory((region) => {
      regions.push(region);
      return new SNSClient({ region });
    });

    await directory.exists(TOPIC);
    await directory.exists('arn:aws:sns:eu-west-1:111122223333:team-b-alerts');
    await directory.exists('arn:aws:sns:us-east-2:111122223333:team-c-alerts');
    await directory.exists(TOPIC);

    expect(regions).toEqual(['eu-west-1', 'us-east-2']);
    expect(sns.commandCalls(GetTopicAttributesCommand)).toHaveLength(4);
  });

  it("by default, asks with a client made for the topic's region", async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: TOPIC } });
    const directory = new SnsTopicDirectory();

    await directory.exists(TOPIC);

    const client = sns.call(0).thisValue as SNSClient;
    await expect(client.config.region()).resolves.toBe('eu-west-1');
  });
});
