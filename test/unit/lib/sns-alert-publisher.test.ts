import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsAlertPublisher } from '../../../lib/sns-alert-publisher';
import { awsError } from '../../support/aws-errors';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:payments-alerts';
const message = {
  subject: '[High] Classification violation: acme',
  document: { kind: 'violation', severity: 'High' },
  text: 'readable text',
  attributes: { severity: 'High', team: 'payments', bucket: 'acme', empty: '' },
};

describe('SnsAlertPublisher', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());
  afterAll(() => sns.restore());

  it('publishes JSON for machines and text for e-mail, with filterable attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const publisher = new SnsAlertPublisher((region) => new SNSClient({ region }));

    const result = await publisher.publish(TOPIC, message);

    expect(result).toEqual({ kind: 'published', messageId: 'm-1' });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.MessageStructure).toBe('json');
    expect(JSON.parse(input?.Message ?? '{}')).toEqual({
      default: JSON.stringify(message.document),
      email: 'readable text',
    });
    expect(input?.MessageAttributes?.severity).toEqual({ DataType: 'String', StringValue: 'High' });
    expect(input?.MessageAttributes?.empty?.StringValue).toBe('-');
  });

  it("publishes with a client for the topic's region", async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const regions: string[] = [];
    const publisher = new SnsAlertPublisher((region) => {
      regions.push(region);
      return new SNSClient({ region });
    });

    await publisher.publish(TOPIC, message);
    await publisher.publish(TOPIC, message);
    await publisher.publish('arn:aws:sns:us-east-2:111122223333:other', message);

    expect(regions).toEqual(['eu-west-1', 'us-east-2']);
  });

  it.each([
    ['NotFoundException'],
    ['AuthorizationErrorException'],
    ['InvalidParameterException'],
    ['KMSAccessDeniedException'],
    ['KMSDisabledException'],
    ['KMSNotFoundException'],
  ])('reports %s as a refusal, so the alert can fall back', async (name) => {
    sns.on(PublishCommand).rejects(awsError(name, `${name} from SNS`));
    const publisher = new SnsAlertPublisher((region) => new SNSClient({ region }));

    await expect(publisher.publish(TOPIC, message)).resolves.toEqual({
      kind: 'refused',
      errorName: name,
    });
  });

  it.each([['ThrottledException'], ['InternalErrorException'], ['TimeoutError']])(
    'lets %s fail the call, so the event is retried',
    async (name) => {
      sns.on(PublishCommand).rejects(awsError(name, `${name} from SNS`));
      const publisher = new SnsAlertPublisher(
        (region) => new SNSClient({ region, maxAttempts: 1 }),
      );

      await expect(publisher.publish(TOPIC, message)).rejects.toThrow(`${name} from SNS`);
    },
  );

  it("by default, publishes with a client made for the topic's region", async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-3' });
    const publisher = new SnsAlertPublisher();

    await publisher.publish(TOPIC, message);

    const client = sns.call(0).thisValue as SNSClient;
    await expect(client.config.region()).resolves.toBe('eu-west-1');
  });
});
